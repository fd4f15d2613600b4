/** Detach a device from its driver; may block while the driver tears down (write-sysfs times out). */
import * as z from 'zod/mini';
import { address, driver } from '#shared/change-schemas';
import { checkAddress, checkDriver, currentDriver, write, type OpHandler } from './op-context';
import { echoTo } from './shell-lines';

export const unbind: OpHandler<'unbind'> = {
  verb: 'unbind',
  schema: z.strictObject({ verb: z.literal('unbind'), address, driver }),
  scope: 'kernel',
  describe: (op) => `Detach ${op.address} from its driver ${op.driver}`,
  shell: (op) => [echoTo(op.address, `/sys/bus/pci/drivers/${op.driver}/unbind`)],
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
