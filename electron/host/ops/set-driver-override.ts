/** driver_override: which driver may bind this one device (the per-device alternative to new_id). */
import * as z from 'zod/mini';
import { address, driver } from '#shared/change-schemas';
import { checkAddress, checkDriver, currentOverride, write, type OpHandler } from './op-context';
import { echoTo, shellQuote, sysfsDevice } from './shell-lines';

export const setDriverOverride: OpHandler<'set-driver-override'> = {
  verb: 'set-driver-override',
  schema: z.strictObject({ verb: z.literal('set-driver-override'), address, driver: z.nullable(driver) }),
  scope: 'kernel',
  describe: (op) =>
    op.driver === null
      ? `Clear the driver override of ${op.address}, so the kernel picks its usual driver again`
      : `Tell the kernel that ${op.address} should only be driven by ${op.driver}`,
  shell: (op) => [op.driver === null ? `echo > ${shellQuote(`${sysfsDevice(op.address)}/driver_override`)}` : echoTo(op.driver, `${sysfsDevice(op.address)}/driver_override`)],
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
