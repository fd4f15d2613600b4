/**
 * write-persistence / remove-persistence: the per-address boot-time files (udev rule,
 * modules-load entry) whose names and contents come from formats/persistence-files.ts, the
 * same function the planner previews, so the op writes exactly what the plan showed. Writes are
 * atomic and confined to the root (ConfinedFs.writeFile) so a crash never leaves a half-written
 * rule and no link in a tree leads the write out of it; removal deletes only those paths, and
 * only while they still hold what Passthru wrote.
 */
import * as z from 'zod/mini';
import { address } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { persistenceFiles } from '../formats/persistence-files';
import { checkAddress, files, type OpContext, type OpHandler } from './op-context';
import { formatArgv, writeFileLine } from './shell-lines';

/** Only these directories may receive persistence files. */
const ALLOWED_DIRS = ['/etc/udev/rules.d/', '/etc/modules-load.d/', '/etc/modprobe.d/'];

function filesFor(ctx: OpContext, address: string): { path: string; content: string }[] {
  const files = (ctx.persistenceFiles ?? persistenceFiles)(address);
  for (const f of files) {
    if (!ALLOWED_DIRS.some((d) => f.path.startsWith(d)) || f.path.split('/').includes('..') || f.path.slice(1).includes('//')) {
      throw new PassthruError('INTERNAL', `Refusing to write persistence file ${f.path}: not in an allowed directory.`, null);
    }
  }
  return files;
}

/** A file not named after the device (the modules-load entry) is shared by every persisted device. */
function isShared(p: string, address: string): boolean {
  return !p.includes(address);
}

/** Whether another device still has its Passthru udev rule (then the shared files stay). */
function othersPersisted(ctx: OpContext, address: string): boolean {
  return ctx.fs.list('/etc/udev/rules.d').some((n) => n.startsWith('90-passthru-') && n.endsWith('.rules') && !n.includes(address));
}

export const writePersistence: OpHandler<'write-persistence'> = {
  verb: 'write-persistence',
  schema: z.strictObject({ verb: z.literal('write-persistence'), address, driver: z.literal('vfio-pci') }),
  scope: 'files',
  describe: (op) => `Keep ${op.address} on vfio-pci after a reboot (udev rule for this address only)`,
  shell: (op) => persistenceFiles(op.address).flatMap((f) => [formatArgv(['mkdir', '-p', f.path.slice(0, f.path.lastIndexOf('/'))]), writeFileLine(f.path, f.content)]),
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    if (op.driver !== 'vfio-pci') throw new PassthruError('BAD_INPUT', 'Persistence only binds to vfio-pci.', null);
    for (const f of filesFor(ctx, op.address)) files(ctx).checkWritable(f.path);
  },
  async run(op, ctx) {
    for (const f of filesFor(ctx, op.address)) files(ctx).writeFile(f.path, f.content);
  },
  verify(op, ctx) {
    const bad = filesFor(ctx, op.address).find((f) => files(ctx).readText(f.path) !== f.content);
    return bad ? `${bad.path} does not hold what was written.` : null;
  },
};

export const removePersistence: OpHandler<'remove-persistence'> = {
  verb: 'remove-persistence',
  schema: z.strictObject({ verb: z.literal('remove-persistence'), address }),
  scope: 'files',
  describe: (op) => `Stop keeping ${op.address} on vfio-pci at boot (remove Passthru's files)`,
  shell: (op) => persistenceFiles(op.address).map((f) => formatArgv(['rm', '-f', f.path])),
  validate(op, ctx) {
    checkAddress(op.address, ctx);
    filesFor(ctx, op.address);
  },
  async run(op, ctx) {
    for (const f of filesFor(ctx, op.address)) {
      if (isShared(f.path, op.address) && othersPersisted(ctx, op.address)) continue;
      const now = files(ctx).readText(f.path);
      if (now === null) continue;
      if (now !== f.content) {
        throw new PassthruError('FAILED', `${f.path} was changed by someone else; Passthru leaves it alone.`, `Remove or edit ${f.path} by hand.`);
      }
      files(ctx).unlink(f.path);
    }
  },
  verify(op, ctx) {
    const others = othersPersisted(ctx, op.address);
    const left = filesFor(ctx, op.address).find((f) => !(isShared(f.path, op.address) && others) && files(ctx).exists(f.path));
    return left ? `${left.path} is still there.` : null;
  },
};
