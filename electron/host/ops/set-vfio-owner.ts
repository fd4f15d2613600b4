/** Hand /dev/vfio/<group> to the desktop user so qemu need not run as root. */
import * as z from 'zod/mini';
import { count, uid } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { checkInt, chownDevice, files, type OpHandler } from './op-context';
import { formatArgv } from './shell-lines';

export const setVfioOwner: OpHandler<'set-vfio-owner'> = {
  verb: 'set-vfio-owner',
  schema: z.strictObject({ verb: z.literal('set-vfio-owner'), group: count, uid, gid: uid }),
  scope: 'kernel',
  describe: (op) => (op.uid === 0 ? `Give /dev/vfio/${op.group} back to root` : `Give /dev/vfio/${op.group} to user ${op.uid} (group ${op.gid}) so qemu need not run as root`),
  shell: (op) => [formatArgv(['chown', `${op.uid}:${op.gid}`, `/dev/vfio/${op.group}`])],
  validate(op, ctx) {
    checkInt(op.group, 'IOMMU group', 65535);
    checkInt(op.uid, 'uid');
    checkInt(op.gid, 'gid');
    const caller = ctx.callerUid ?? null;
    if (caller !== null && !(op.uid === caller || (op.uid === 0 && op.gid === 0))) {
      throw new PassthruError('REFUSED', `/dev/vfio/${op.group} would go to user ${op.uid}, but user ${caller} asked; it goes only to the user who asks, or back to root.`, null);
    }
    if (!ctx.fs.exists(`/sys/kernel/iommu_groups/${op.group}`)) {
      throw new PassthruError('BAD_INPUT', `There is no IOMMU group ${op.group}.`, null);
    }
  },
  async run(op, ctx) {
    chownDevice(ctx, `/dev/vfio/${op.group}`, op.uid, op.gid);
  },
  verify(op, ctx) {
    const st = files(ctx).stat(`/dev/vfio/${op.group}`);
    if (st === null) return `/dev/vfio/${op.group} does not exist.`;
    return st.uid === op.uid && st.gid === op.gid ? null : `/dev/vfio/${op.group} is owned by ${st.uid}:${st.gid}, expected ${op.uid}:${op.gid}.`;
  },
};
