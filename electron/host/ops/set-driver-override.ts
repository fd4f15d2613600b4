/** driver_override: which driver may bind this one device (the per-device alternative to new_id). */
import { checkAddress, checkDriver, currentOverride, write, type OpHandler } from './op-context';

export const setDriverOverride: OpHandler<'set-driver-override'> = {
  scope: 'kernel',
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    if (op.driver !== null) checkDriver(op.driver, ctx);
  },
  // "\n" clears the override (an empty write is rejected by older kernels).
  run: (op, ctx) => write(ctx, `/sys/bus/pci/devices/${op.address}/driver_override`, op.driver === null ? '\n' : op.driver),
  verify(op, ctx) {
    const now = currentOverride(ctx, op.address);
    return now === op.driver ? null : `driver_override of ${op.address} reads ${now ?? '(null)'}, expected ${op.driver ?? '(null)'}.`;
  },
};
