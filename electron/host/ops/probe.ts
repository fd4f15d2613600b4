/** drivers_probe: let the kernel bind the device again (honouring driver_override). */
import * as nodeFs from 'node:fs';
import { checkAddress, checkDriver, currentDriver, iommuGroupOf, write, type OpHandler } from './core';

export const probe: OpHandler<'probe'> = {
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    if (op.expectDriver !== null) checkDriver(op.expectDriver, ctx);
  },
  async run(op, ctx) {
    if (op.expectDriver !== null && currentDriver(ctx, op.address) === op.expectDriver) return;
    await write(ctx, '/sys/bus/pci/drivers_probe', op.address);
  },
  verify(op, ctx) {
    const now = currentDriver(ctx, op.address);
    if (now !== op.expectDriver) return `${op.address} is bound to ${now ?? 'no driver'}, expected ${op.expectDriver ?? 'no driver'}.`;
    if (op.expectDriver === 'vfio-pci') {
      const group = iommuGroupOf(ctx, op.address);
      // /dev is not under sysfs: check the host path directly (the fs view may hide device nodes).
      if (group === null || !nodeFs.existsSync(`${ctx.root === '/' ? '' : ctx.root}/dev/vfio/${group}`)) {
        return `/dev/vfio/${group ?? '?'} did not appear after binding ${op.address} to vfio-pci.`;
      }
    }
    return null;
  },
};
