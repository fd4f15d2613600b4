/**
 * create-tap / remove-tap: the one privileged step of a VM with a virtio NIC on a bridge. Only
 * taps named the way Passthru names them, only onto a bridge that exists, and — from the pkexec
 * helper — only for the user who asked (PKEXEC_UID), so the helper cannot be used to hand
 * someone else a network device or to delete an interface that is not ours.
 */
import { PassthruError, badInput } from '../../../shared/errors';
import { IFNAME_PATTERN, VM_TAP_PATTERN } from '../../../shared/vm-names';
import { checkInt, runIn, type OpContext, type OpHandler } from './op-context';

function checkTap(tap: unknown): string {
  if (typeof tap !== 'string' || !VM_TAP_PATTERN.test(tap)) throw badInput(`${JSON.stringify(tap)} is not the name of a Passthru tap device.`);
  return tap;
}

const isTap = (ctx: OpContext, tap: string): boolean => ctx.fs.exists(`/sys/class/net/${tap}/tun_flags`);

export const createTap: OpHandler<'create-tap'> = {
  scope: 'kernel',
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
    if (!ctx.fs.exists(`/sys/class/net/${op.tap}`)) await runIn(ctx, ['ip', 'tuntap', 'add', 'dev', op.tap, 'mode', 'tap', 'user', String(op.uid)], 'kernel');
    await runIn(ctx, ['ip', 'link', 'set', 'dev', op.tap, 'master', op.bridge, 'up'], 'kernel');
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
  scope: 'kernel',
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
    if (ctx.fs.exists(`/sys/class/net/${op.tap}`)) await runIn(ctx, ['ip', 'link', 'delete', 'dev', op.tap], 'kernel');
  },
  verify(op, ctx) {
    return ctx.fs.exists(`/sys/class/net/${op.tap}`) ? `${op.tap} still exists.` : null;
  },
};
