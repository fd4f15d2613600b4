/** drivers_probe: let the kernel bind the device again (honouring driver_override). */
import * as z from 'zod/mini';
import { address, driver } from '#shared/change-schemas';
import { KERNEL_CHOOSES } from '#shared/plan';
import { checkAddress, checkDriver, currentDriver, files, iommuGroupOf, write, type OpHandler } from './op-context';
import { echoTo } from './shell-lines';

export const probe: OpHandler<'probe'> = {
  verb: 'probe',
  schema: z.strictObject({ verb: z.literal('probe'), address, expectDriver: z.union([z.null(), z.literal(KERNEL_CHOOSES), driver]) }),
  scope: 'kernel',
  describe: (op) =>
    op.expectDriver === null
      ? `Ask the kernel to probe ${op.address} (no driver expected)`
      : op.expectDriver === KERNEL_CHOOSES
        ? `Ask the kernel to bind ${op.address} to its usual driver`
        : `Ask the kernel to bind ${op.address} to ${op.expectDriver}`,
  shell: (op) => [echoTo(op.address, '/sys/bus/pci/drivers_probe')],
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    if (op.expectDriver !== null && op.expectDriver !== KERNEL_CHOOSES) checkDriver(op.expectDriver, ctx);
  },
  async run(op, ctx) {
    if (op.expectDriver !== null && op.expectDriver !== KERNEL_CHOOSES && currentDriver(ctx, op.address) === op.expectDriver) return;
    await write(ctx, '/sys/bus/pci/drivers_probe', op.address);
  },
  verify(op, ctx) {
    const now = currentDriver(ctx, op.address);
    if (op.expectDriver === KERNEL_CHOOSES) {
      // No record of the driver before: any outcome but vfio-pci is the kernel's own choice.
      return now === 'vfio-pci' ? `${op.address} is still bound to vfio-pci after clearing its override.` : null;
    }
    if (now !== op.expectDriver) return `${op.address} is bound to ${now ?? 'no driver'}, expected ${op.expectDriver ?? 'no driver'}.`;
    if (op.expectDriver === 'vfio-pci') {
      const group = iommuGroupOf(ctx, op.address);
      // /dev is not under sysfs: stat the node itself (confined, never opened).
      if (group === null) return `${op.address} is on vfio-pci but in no IOMMU group, so no VM can use it.`;
      if (!files(ctx).exists(`/dev/vfio/${group}`)) return `/dev/vfio/${group} did not appear after binding ${op.address} to vfio-pci.`;
    }
    return null;
  },
};
