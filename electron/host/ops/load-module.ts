/** modprobe, through the one exec seam; only modules on the allowlist. */
import * as z from 'zod/mini';
import { PassthruError } from '#shared/errors';
import { runIn, type OpHandler } from './op-context';
import { formatArgv } from './shell-lines';

const MODULES: readonly string[] = ['vfio-pci'];

export const loadModule: OpHandler<'load-module'> = {
  verb: 'load-module',
  schema: z.strictObject({ verb: z.literal('load-module'), module: z.literal('vfio-pci') }),
  scope: 'kernel',
  describe: (op) => `Load the ${op.module} kernel module`,
  shell: (op) => [formatArgv(['modprobe', op.module])],
  validate(op) {
    if (!MODULES.includes(op.module)) throw new PassthruError('BAD_INPUT', `Module ${String(op.module)} is not on the allowlist.`, null);
  },
  async run(op, ctx) {
    await runIn(ctx, ['modprobe', op.module], 'kernel', { timeoutMs: 60_000 });
  },
  verify(op, ctx) {
    const name = op.module.replace(/-/g, '_');
    return ctx.fs.exists(`/sys/module/${name}`) || ctx.fs.exists(`/sys/bus/pci/drivers/${op.module}`) ? null : `Module ${op.module} is not loaded after modprobe.`;
  },
};
