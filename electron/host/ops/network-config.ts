/**
 * The ops a network-stack change is made of: replacing one of the stack's own configuration
 * files, and asking the stack (ifupdown) to bring an interface down or up from it. The file op
 * carries the whole new content and the fingerprint of the content it replaces, so its undo
 * puts the file back byte for byte — and refuses when someone changed the file since, rather
 * than overwrite their edit. Only the stacks' configuration files may be written.
 */
import * as z from 'zod/mini';
import { ifname } from '#shared/change-schemas';
import { badInput } from '#shared/errors';
import { ADDR_GEN_MODES, type OpCall } from '#shared/plan';
import { addrGenModeOf } from '../network/addr-gen-mode';
import { isNetworkFile } from '../network/network-files';
import { textSha256 as sha256 } from '../network/text-digest';
import { files, runIn, type OpHandler } from './op-context';
import { formatArgv, writeFileLine } from './shell-lines';

export const MAX_NETWORK_FILE = 256 * 1024;

type WriteNetworkFile = Extract<OpCall, { verb: 'write-network-file' }>;

function checkPath(op: WriteNetworkFile): void {
  if (!isNetworkFile(op.path)) throw badInput(`${op.path} is not a network configuration file Passthru writes.`, 'Plan the change again in Passthru.');
}

/** The file's text now, or null when it does not exist. */
function current(op: WriteNetworkFile, ctx: Parameters<OpHandler<'write-network-file'>['run']>[1]): string | null {
  return files(ctx).readText(op.path);
}

/** Why the file is not the one the step was planned against, or null. */
function changedSince(op: WriteNetworkFile, now: string | null): string | null {
  const found = now === null ? null : sha256(now);
  if (found === op.expectSha256) return null;
  if (op.content !== null && found === sha256(op.content)) return null; // already written (a retried step)
  return op.expectSha256 === null
    ? `${op.path} exists now, but did not when the change was planned; it is left as it is.`
    : `${op.path} was changed since the change was planned; it is left as it is.`;
}

export const writeNetworkFile: OpHandler<'write-network-file'> = {
  verb: 'write-network-file',
  schema: z.strictObject({
    verb: z.literal('write-network-file'),
    path: z.string().check(z.maxLength(200)),
    content: z.nullable(z.string().check(z.maxLength(MAX_NETWORK_FILE))),
    expectSha256: z.nullable(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
  }),
  scope: 'files',
  describe: (op) => (op.content === null ? `Remove ${op.path}` : `Write ${op.path}`),
  shell: (op) => (op.content === null ? [formatArgv(['rm', '-f', '--', op.path])] : [writeFileLine(op.path, op.content)]),
  validate(op, ctx) {
    checkPath(op);
    if (op.content !== null) files(ctx).checkWritable(op.path);
  },
  async run(op, ctx) {
    const why = changedSince(op, current(op, ctx));
    if (why !== null) throw badInput(why, 'Look at the file, then plan the change again.');
    if (op.content === null) files(ctx).unlink(op.path);
    else {
      const mode = files(ctx).stat(op.path)?.mode;
      files(ctx).writeFile(op.path, op.content, { mode: mode === undefined ? 0o644 : mode & 0o7777 });
    }
  },
  verify(op, ctx) {
    const now = current(op, ctx);
    if (op.content === null) return now === null ? null : `${op.path} is still there.`;
    return now === op.content ? null : `${op.path} does not hold what was written.`;
  },
};

/** ifupdown's record of the interfaces it configured (`ifquery --state`), one per line: `iface=config`. */
async function ifupdownState(ctx: Parameters<OpHandler<'ifupdown'>['run']>[1]): Promise<string[]> {
  const r = await runIn(ctx, ['ifquery', '--state'], 'kernel', { timeoutMs: 10_000 }).catch(() => ({ stdout: '' }));
  return r.stdout
    .split('\n')
    .map((l) => l.split('=')[0]!.trim())
    .filter((n) => n !== '');
}

export const ifupdown: OpHandler<'ifupdown'> = {
  verb: 'ifupdown',
  schema: z.strictObject({ verb: z.literal('ifupdown'), action: z.enum(['up', 'down']), iface: ifname }),
  scope: 'kernel',
  describe: (op) => (op.action === 'up' ? `Bring ${op.iface} up as /etc/network/interfaces configures it (ifup)` : `Take ${op.iface} down through ifupdown (ifdown)`),
  shell: (op) => [formatArgv([op.action === 'up' ? 'ifup' : 'ifdown', op.iface])],
  validate: () => undefined,
  async run(op, ctx) {
    const configured = (await ifupdownState(ctx)).includes(op.iface);
    // ifup of a configured interface and ifdown of one that is not are no-ops for ifupdown too;
    // skipping them keeps a retried step or a rollback quiet.
    if (op.action === 'up' ? configured : !configured) return;
    await runIn(ctx, [op.action === 'up' ? 'ifup' : 'ifdown', op.iface], 'kernel', { timeoutMs: 120_000 });
  },
  async verify(op, ctx) {
    const configured = (await ifupdownState(ctx)).includes(op.iface);
    if (op.action === 'up') return configured ? null : `ifupdown does not list ${op.iface} as up.`;
    return configured ? `ifupdown still lists ${op.iface} as up.` : null;
  },
};

export const setAddrGenMode: OpHandler<'set-addrgenmode'> = {
  verb: 'set-addrgenmode',
  schema: z.strictObject({ verb: z.literal('set-addrgenmode'), iface: ifname, mode: z.enum(ADDR_GEN_MODES) }),
  scope: 'kernel',
  describe: (op) => `Set how ${op.iface} makes its IPv6 link-local address: ${op.mode}`,
  shell: (op) => [formatArgv(['ip', 'link', 'set', 'dev', op.iface, 'addrgenmode', op.mode])],
  validate: () => undefined,
  async run(op, ctx) {
    if (addrGenModeOf(ctx.fs, op.iface) === op.mode) return;
    await runIn(ctx, ['ip', 'link', 'set', 'dev', op.iface, 'addrgenmode', op.mode], 'kernel', { timeoutMs: 10_000 });
  },
  verify(op, ctx) {
    const now = addrGenModeOf(ctx.fs, op.iface);
    return now === op.mode ? null : `${op.iface}'s IPv6 address generation is ${now ?? 'unknown'}, not ${op.mode}.`;
  },
};
