/**
 * set-vf: one VF's MAC, VLAN/QoS, trust, spoof check or link state, through the PF driver
 * (`ip link set dev <PF interface> vf N ...`). The interface is read from sysfs when the op
 * runs. Each op should carry one setting (the planner makes one step per setting): `ip` sends
 * them in one netlink message that the kernel applies in turn, so a driver refusing the third
 * (igb has no link-state control) leaves the first two changed. Verified by reading the VF
 * table back with `ip -j link show`.
 */
import * as z from 'zod/mini';
import { address, count, vfChangeSchema } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import { CommandError } from '../exec/run-command';
import { parseVfInfo } from '../probes/ip-state';
import { checkInt, currentDriver, runIn, type OpContext, type OpHandler } from './op-context';
import { checkPf, vfCount } from './sriov';
import { checkVfChange, vfArgs } from '../formats/vf-settings';
import type { VfChange } from '#shared/plan';
import { formatArgv, shellQuote, sysfsDevice } from './shell-lines';

function vfWords(s: VfChange): string {
  const parts = [
    ...(s.mac !== undefined ? [s.mac === '00:00:00:00:00:00' ? 'clear the MAC' : `MAC ${s.mac}`] : []),
    ...(s.vlan !== undefined ? [s.vlan === 0 ? 'no VLAN' : `VLAN ${s.vlan}${s.qos !== undefined ? ` (priority ${s.qos})` : ''}`] : []),
    ...(s.spoofCheck !== undefined ? [`spoof check ${s.spoofCheck ? 'on' : 'off'}`] : []),
    ...(s.trust !== undefined ? [`trust ${s.trust ? 'on' : 'off'}`] : []),
    ...(s.linkState !== undefined ? [`link state ${s.linkState}`] : []),
  ];
  return parts.join(', ');
}

/** The PF's network interface, from sysfs; FAILED when its driver has none (it is not a NIC driver now). */
function pfInterface(ctx: OpContext, address: string): string {
  const names = ctx.fs.list(`/sys/bus/pci/devices/${address}/net`);
  const name = names[0];
  if (!name || !/^[A-Za-z0-9_.:@-]{1,15}$/.test(name)) {
    throw new PassthruError(
      'FAILED',
      `${address} has no network interface (driver ${currentDriver(ctx, address) ?? 'none'}); VF settings go through the PF's network driver.`,
      'Give the PF back to its network driver first.',
    );
  }
  return name;
}

export const setVf: OpHandler<'set-vf'> = {
  verb: 'set-vf',
  schema: z.strictObject({ verb: z.literal('set-vf'), address, vf: count, settings: vfChangeSchema }),
  scope: 'kernel',
  describe: (op) => `Set VF ${op.vf} of ${op.address}: ${vfWords(op.settings)}`,
  // The interface name is looked up when the step runs; the shell line reads it the same way.
  shell: (op) => [`ip link set dev "$(ls ${shellQuote(`${sysfsDevice(op.address)}/net`)})" ${formatArgv(['vf', String(op.vf), ...vfArgs(op.settings)])}`],
  validate(op, ctx) {
    const { totalVfs } = checkPf(op.address, ctx);
    checkInt(op.vf, 'VF index', Math.max(totalVfs - 1, 0));
    checkVfChange(op.settings);
  },
  async run(op, ctx) {
    const count = vfCount(ctx, op.address);
    if (op.vf >= count) throw new PassthruError('FAILED', `${op.address} has ${count} VFs now; there is no VF ${op.vf}.`, null);
    // Already so: nothing to do. This also makes undoing a step that failed harmless, e.g.
    // restoring link state "auto" on a driver that cannot set link state at all.
    if ((await setVf.verify(op, ctx)) === null) return;
    const argv = ['ip', 'link', 'set', 'dev', pfInterface(ctx, op.address), 'vf', String(op.vf), ...vfArgs(op.settings)];
    try {
      await runIn(ctx, argv, 'kernel', { timeoutMs: 15_000 });
    } catch (err) {
      if (err instanceof CommandError && err.failure === 'exit') {
        const said = err.stderr.trim().replace(/^RTNETLINK answers:\s*/, '');
        const driver = currentDriver(ctx, op.address) ?? 'the PF driver';
        throw new PassthruError(
          'FAILED',
          `${driver} refused ${vfArgs(op.settings).join(' ')} for VF ${op.vf}: ${said || `ip exited with ${err.exitCode}`}.`,
          /not supported/i.test(said) ? `${driver} does not support this setting; leave it unchanged.` : null,
        );
      }
      throw err;
    }
  },
  async verify(op, ctx) {
    const r = await runIn(ctx, ['ip', '-j', 'link', 'show', 'dev', pfInterface(ctx, op.address)], 'kernel', { timeoutMs: 10_000 });
    const [link] = JSON.parse(r.stdout || '[]') as { vfinfo_list?: Parameters<typeof parseVfInfo>[0][] }[];
    const raw = link?.vfinfo_list?.find((v, i) => (v.vf ?? i) === op.vf);
    if (!raw) return `The PF driver does not list VF ${op.vf}.`;
    const now = parseVfInfo(raw, op.vf);
    const c = op.settings;
    const wrong: string[] = [];
    if (c.mac !== undefined && (now.mac ?? '00:00:00:00:00:00') !== c.mac) wrong.push(`MAC is ${now.mac ?? 'unset'}`);
    if (c.vlan !== undefined && now.vlan !== c.vlan) wrong.push(`VLAN is ${now.vlan}`);
    if (c.qos !== undefined && c.vlan !== 0 && now.qos !== c.qos) wrong.push(`QoS is ${now.qos}`);
    if (c.spoofCheck !== undefined && now.spoofCheck !== c.spoofCheck) wrong.push(`spoof check is ${now.spoofCheck ? 'on' : 'off'}`);
    if (c.trust !== undefined && now.trust !== c.trust) wrong.push(`trust is ${now.trust ? 'on' : 'off'}`);
    if (c.linkState !== undefined && now.linkState !== c.linkState) wrong.push(`link state is ${now.linkState ?? 'unknown'}`);
    return wrong.length ? `VF ${op.vf} of ${op.address}: ${wrong.join(', ')} after the change.` : null;
  },
};
