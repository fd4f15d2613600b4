/** Detach a device from its driver; may block while the driver tears down (write-sysfs times out). */
import { checkAddress, checkDriver, currentDriver, write, type OpHandler } from './op-context';

export const unbind: OpHandler<'unbind'> = {
  scope: 'kernel',
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    checkDriver(op.driver, ctx);
  },
  async run(op, ctx) {
    // Already detached (e.g. a re-run after a crash): nothing to do, and writing would fail ENODEV.
    if (currentDriver(ctx, op.address) === null) return;
    await write(ctx, `/sys/bus/pci/drivers/${op.driver}/unbind`, op.address);
  },
  verify(op, ctx) {
    const now = currentDriver(ctx, op.address);
    return now === null ? null : `${op.address} is still bound to ${now}.`;
  },
};
