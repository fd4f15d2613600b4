/**
 * SR-IOV on a PF: the VF count (sriov_numvfs), whether new VFs get a host driver
 * (sriov_drivers_autoprobe), and the boot-time rule that recreates them. The count is checked
 * against sriov_totalvfs as the kernel has it now, never against what the plan says.
 */
import * as z from 'zod/mini';
import { address, count } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { parseSriovRule, sriovPersistenceFile, sriovRulePath } from '../formats/persistence-files';
import { SysfsWriteError } from '../exec/write-sysfs';
import { checkAddress, checkInt, currentDriver, files, write, type OpContext, type OpHandler } from './op-context';
import { echoTo, formatArgv, writeFileLine } from './shell-lines';

const dev = (a: string): string => `/sys/bus/pci/devices/${a}`;

function readInt(ctx: OpContext, file: string): number | null {
  const n = Number(ctx.fs.readText(file)?.trim() ?? NaN);
  return Number.isInteger(n) ? n : null;
}

/** sriov_totalvfs of an existing PF; BAD_INPUT for a device without SR-IOV. */
export function checkPf(address: unknown, ctx: OpContext): { address: string; totalVfs: number } {
  const a = checkAddress(address, ctx);
  const totalVfs = readInt(ctx, `${dev(a)}/sriov_totalvfs`);
  if (totalVfs === null) throw new PassthruError('BAD_INPUT', `${a} has no SR-IOV capability (no sriov_totalvfs).`, null);
  return { address: a, totalVfs };
}

/** The VFs the kernel lists now (virtfn0..). */
export function vfCount(ctx: OpContext, address: string): number {
  let n = 0;
  while (ctx.fs.readLink(`${dev(address)}/virtfn${n}`) !== null) n++;
  return n;
}

/** The kernel's refusals of sriov_numvfs (drivers/pci/iov.c sriov_numvfs_store), in plain words. */
function explainNumVfsError(err: unknown, address: string, driver: string | null): unknown {
  if (!(err instanceof SysfsWriteError)) return err;
  const why: Record<string, [string, string | null]> = {
    ENOENT: [
      `${driver ?? 'The PF driver'} does not support creating VFs through sysfs (it has no sriov_configure).`,
      'Use a driver with SR-IOV support, or its own module parameter (e.g. max_vfs).',
    ],
    EBUSY: [
      `The kernel refused to change the VF count of ${address} directly (it only changes from or to 0, and not while VFs are assigned).`,
      'Set 0 first; give back any VF on vfio-pci.',
    ],
    ENOMEM: [`The kernel could not allocate resources for the VFs of ${address} (bus numbers or BAR space).`, 'Try fewer VFs, or enable SR-IOV/ARI support in the firmware.'],
  };
  const known = why[err.errno];
  return known ? new PassthruError('FAILED', `${known[0]} (${err.errno})`, known[1], err.detail) : err;
}

export const setSriovNumvfs: OpHandler<'set-sriov-numvfs'> = {
  verb: 'set-sriov-numvfs',
  schema: z.strictObject({ verb: z.literal('set-sriov-numvfs'), address, count }),
  scope: 'kernel',
  describe: (op) => (op.count === 0 ? `Remove the VFs of ${op.address}` : `Create ${op.count} VFs on ${op.address}`),
  shell: (op) => [echoTo(String(op.count), `${dev(op.address)}/sriov_numvfs`)],
  validate(op, ctx) {
    const { totalVfs } = checkPf(op.address, ctx);
    checkInt(op.count, 'VF count', totalVfs);
  },
  async run(op, ctx) {
    if (readInt(ctx, `${dev(op.address)}/sriov_numvfs`) === op.count) return;
    // Creating VFs probes a driver for each: slow on big counts, so a longer timeout than a bind.
    try {
      await write({ ...ctx, sysfsTimeoutMs: Math.max(ctx.sysfsTimeoutMs ?? 0, 60_000) }, `${dev(op.address)}/sriov_numvfs`, String(op.count));
    } catch (err) {
      throw explainNumVfsError(err, op.address, currentDriver(ctx, op.address));
    }
  },
  verify(op, ctx) {
    const now = readInt(ctx, `${dev(op.address)}/sriov_numvfs`);
    if (now !== op.count) return `sriov_numvfs of ${op.address} reads ${now ?? 'nothing'}, expected ${op.count}.`;
    const links = vfCount(ctx, op.address);
    return links === op.count ? null : `${op.address} lists ${links} VFs (virtfn links), expected ${op.count}.`;
  },
};

export const setSriovAutoprobe: OpHandler<'set-sriov-autoprobe'> = {
  verb: 'set-sriov-autoprobe',
  schema: z.strictObject({ verb: z.literal('set-sriov-autoprobe'), address, enabled: z.boolean() }),
  scope: 'kernel',
  describe: (op) =>
    op.enabled
      ? `Let new VFs of ${op.address} get their host driver (sriov_drivers_autoprobe on)`
      : `Keep new VFs of ${op.address} without a host driver, for VMs (sriov_drivers_autoprobe off)`,
  shell: (op) => [echoTo(op.enabled ? '1' : '0', `${dev(op.address)}/sriov_drivers_autoprobe`)],
  validate(op, ctx) {
    checkPf(op.address, ctx);
    if (typeof op.enabled !== 'boolean') throw new PassthruError('BAD_INPUT', 'Autoprobe must be on or off.', null);
  },
  async run(op, ctx) {
    await write(ctx, `${dev(op.address)}/sriov_drivers_autoprobe`, op.enabled ? '1' : '0');
  },
  verify(op, ctx) {
    const now = ctx.fs.readText(`${dev(op.address)}/sriov_drivers_autoprobe`)?.trim();
    return now === (op.enabled ? '1' : '0') ? null : `sriov_drivers_autoprobe of ${op.address} reads ${now ?? 'nothing'}.`;
  },
};

export const writeSriovPersistence: OpHandler<'write-sriov-persistence'> = {
  verb: 'write-sriov-persistence',
  schema: z.strictObject({ verb: z.literal('write-sriov-persistence'), address, numVfs: count, autoprobe: z.boolean() }),
  scope: 'files',
  describe: (op) => `Recreate ${op.numVfs} VFs on ${op.address} at every boot (udev rule for this address only)`,
  shell: (op) => {
    const f = sriovPersistenceFile(op.address, op.numVfs, op.autoprobe);
    return [writeFileLine(f.path, f.content)];
  },
  validate(op, ctx) {
    const { totalVfs } = checkPf(op.address, ctx);
    checkInt(op.numVfs, 'VF count', totalVfs);
    if (typeof op.autoprobe !== 'boolean') throw new PassthruError('BAD_INPUT', 'Autoprobe must be on or off.', null);
    files(ctx).checkWritable(sriovRulePath(op.address));
  },
  async run(op, ctx) {
    const f = sriovPersistenceFile(op.address, op.numVfs, op.autoprobe);
    files(ctx).writeFile(f.path, f.content);
  },
  verify(op, ctx) {
    const f = sriovPersistenceFile(op.address, op.numVfs, op.autoprobe);
    return files(ctx).readText(f.path) === f.content ? null : `${f.path} does not hold what was written.`;
  },
};

export const removeSriovPersistence: OpHandler<'remove-sriov-persistence'> = {
  verb: 'remove-sriov-persistence',
  schema: z.strictObject({ verb: z.literal('remove-sriov-persistence'), address }),
  scope: 'files',
  describe: (op) => `Stop recreating VFs on ${op.address} at boot (remove Passthru's rule)`,
  shell: (op) => [formatArgv(['rm', '-f', sriovRulePath(op.address)])],
  validate(op, ctx) {
    checkPf(op.address, ctx);
  },
  async run(op, ctx) {
    const file = sriovRulePath(op.address);
    const now = files(ctx).readText(file);
    if (now === null) return;
    if (parseSriovRule(now) === null) {
      throw new PassthruError('FAILED', `${file} was not written by Passthru (or was edited); Passthru leaves it alone.`, `Remove or edit ${file} by hand.`);
    }
    files(ctx).unlink(file);
  },
  verify(op, ctx) {
    const file = sriovRulePath(op.address);
    return files(ctx).exists(file) ? `${file} is still there.` : null;
  },
};
