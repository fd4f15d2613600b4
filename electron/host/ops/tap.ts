/**
 * create-tap / remove-tap: the one privileged step of a VM with a virtio NIC on a bridge. Only
 * taps named the way Passthru names them, only onto a bridge that exists, and — from the pkexec
 * helper — only for the user who asked (PKEXEC_UID), so the helper cannot be used to hand
 * someone else a network device or to delete an interface that is not ours.
 */
import * as z from 'zod/mini';
import { ifname, uid } from '#shared/change-schemas';
import { PassthruError, badInput } from '#shared/errors';
import { IFNAME_PATTERN, VM_TAP_PATTERN } from '#shared/vm-names';
import type { OpCall } from '#shared/plan';
import { checkInt, runIn, type OpContext, type OpHandler } from './op-context';
import { formatArgv } from './shell-lines';

/** The commands of create-tap, run by the op and shown as its shell lines. */
const addTapArgv = (op: Extract<OpCall, { verb: 'create-tap' }>): string[] => ['ip', 'tuntap', 'add', 'dev', op.tap, 'mode', 'tap', 'user', String(op.uid)];
const attachTapArgv = (op: Extract<OpCall, { verb: 'create-tap' }>): string[] => ['ip', 'link', 'set', 'dev', op.tap, 'master', op.bridge, 'up'];
const deleteTapArgv = (tap: string): string[] => ['ip', 'link', 'delete', 'dev', tap];

function checkTap(tap: unknown): string {
  if (typeof tap !== 'string' || !VM_TAP_PATTERN.test(tap)) throw badInput(`${JSON.stringify(tap)} is not the name of a Passthru tap device.`);
  return tap;
}

const isTap = (ctx: OpContext, tap: string): boolean => ctx.fs.exists(`/sys/class/net/${tap}/tun_flags`);

export const createTap: OpHandler<'create-tap'> = {
  verb: 'create-tap',
  schema: z.strictObject({ verb: z.literal('create-tap'), tap: ifname, bridge: ifname, uid }),
  scope: 'kernel',
  describe: (op) => `Create the tap device ${op.tap} on bridge ${op.bridge}, owned by user ${op.uid}`,
  shell: (op) => [formatArgv(addTapArgv(op)), formatArgv(attachTapArgv(op))],
  validate(op, ctx) {
    checkTap(op.tap);
    if (typeof op.bridge !== 'string' || !IFNAME_PATTERN.test(op.bridge)) throw badInput(`${JSON.stringify(op.bridge)} is not an interface name.`);
    if (!ctx.fs.isDirectory(`/sys/class/net/${op.bridge}/bridge`)) throw badInput(`There is no bridge named ${op.bridge} on this host.`);
    checkInt(op.uid, 'uid');
    const caller = ctx.callerUid ?? null;
    if (caller !== null && op.uid !== caller) throw new PassthruError('REFUSED', `A tap for user ${op.uid} was asked by user ${caller}.`, null);
    if (ctx.fs.exists(`/sys/class/net/${op.tap}`) && !isTap(ctx, op.tap)) throw new PassthruError('REFUSED', `${op.tap} exists and is not a tap device.`, null);
  },
  async run(op, ctx) {
    if (!ctx.fs.exists(`/sys/class/net/${op.tap}`)) await runIn(ctx, addTapArgv(op), 'kernel');
    await runIn(ctx, attachTapArgv(op), 'kernel');
  },
  verify(op, ctx) {
    if (!isTap(ctx, op.tap)) return `${op.tap} is not a tap device.`;
    const owner = ctx.fs.readText(`/sys/class/net/${op.tap}/owner`)?.trim();
    if (owner !== String(op.uid)) return `${op.tap} belongs to user ${owner ?? '?'}, not ${op.uid}.`;
    const master = ctx.fs.readLink(`/sys/class/net/${op.tap}/master`);
    return master?.endsWith(`/${op.bridge}`) ? null : `${op.tap} is not a port of ${op.bridge}.`;
  },
};

export const removeTap: OpHandler<'remove-tap'> = {
  verb: 'remove-tap',
  schema: z.strictObject({ verb: z.literal('remove-tap'), tap: ifname }),
  scope: 'kernel',
  describe: (op) => `Remove the tap device ${op.tap}`,
  shell: (op) => [formatArgv(deleteTapArgv(op.tap))],
  validate(op, ctx) {
    checkTap(op.tap);
    if (ctx.fs.exists(`/sys/class/net/${op.tap}`) && !isTap(ctx, op.tap)) throw new PassthruError('REFUSED', `${op.tap} is not a tap device.`, null);
    // Only the user a tap was made for may have it removed (its VM's network would go).
    const caller = ctx.callerUid ?? null;
    const owner = ctx.fs.readText(`/sys/class/net/${op.tap}/owner`)?.trim();
    if (caller !== null && owner !== undefined && owner !== String(caller)) {
      throw new PassthruError('REFUSED', `${op.tap} belongs to user ${owner}, not to user ${caller} who asked to remove it.`, null);
    }
  },
  async run(op, ctx) {
    if (ctx.fs.exists(`/sys/class/net/${op.tap}`)) await runIn(ctx, deleteTapArgv(op.tap), 'kernel');
  },
  verify(op, ctx) {
    return ctx.fs.exists(`/sys/class/net/${op.tap}`) ? `${op.tap} still exists.` : null;
  },
};
