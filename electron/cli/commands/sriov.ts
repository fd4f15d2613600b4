/**
 * `passthru sriov ADDRESS --vfs N | --vf I ...`: set a PF's number of VFs, or one VF's
 * settings, through a plan, like every change. Values are checked here for shape (exit 2,
 * nothing written) and again by the planner and the executor against the device as it is.
 */
import { normalizeMac, randomLocalMac } from '#shared/mac';
import type { VfChange } from '#shared/plan';
import { usageError, COMMON_OPTIONS, type CliCommand, type ParsedArgs } from '../command-line';
import { makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

const bad = (message: string) => usageError('sriov', message);

/** A whole non-negative decimal number, or BAD_INPUT (`2x`, `-1`, `1.5`, `0x2` are not). */
function count(text: unknown, what: string): number {
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text)) throw bad(`${what} must be a whole number (0 or more), not ${JSON.stringify(text)}.`);
  return Number(text);
}

function onOff(text: unknown, what: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw bad(`${what} must be on or off, not ${JSON.stringify(text)}.`);
}

/** The VF settings asked for; the MAC may be `random` (a locally administered one). */
export function vfChangeFrom(values: ParsedArgs['values']): VfChange {
  const change: VfChange = {};
  if (values.mac !== undefined) {
    const mac = values.mac === 'random' ? randomLocalMac() : normalizeMac(String(values.mac));
    if (mac === null) throw bad(`${JSON.stringify(values.mac)} is not a MAC address (six hex pairs such as 02:00:00:00:00:01, or "random").`);
    change.mac = mac;
  }
  if (values.vlan !== undefined) change.vlan = count(values.vlan, '--vlan');
  if (values.qos !== undefined) change.qos = count(values.qos, '--qos');
  const trust = onOff(values.trust, '--trust');
  if (trust !== undefined) change.trust = trust;
  const spoof = onOff(values.spoofchk, '--spoofchk');
  if (spoof !== undefined) change.spoofCheck = spoof;
  if (values.state !== undefined) {
    if (!['auto', 'enable', 'disable'].includes(String(values.state))) throw bad('--state must be auto, enable or disable.');
    change.linkState = values.state as VfChange['linkState'];
  }
  return change;
}

export const sriovCommand: CliCommand = {
  name: 'sriov',
  summary: "Set the number of SR-IOV VFs of a PF, or one VF's MAC, VLAN, trust and spoof check.",
  usage:
    'passthru sriov ADDRESS --vfs N [--autoprobe on|off] [--persist] [--dry-run] [--yes] [--force] [--json]\n' +
    '       passthru sriov ADDRESS --vf I [--mac M|random] [--vlan V [--qos Q]] [--trust on|off] [--spoofchk on|off] [--state auto|enable|disable] [--dry-run] [--yes] [--json]',
  details: [
    'ADDRESS            The PF, e.g. 0000:01:00.0.',
    '--vfs N            Number of VFs (0 to sriov_totalvfs). From N>0 to M>0 the plan goes through 0:',
    '                   the kernel refuses a direct change, and all VFs are recreated.',
    '--autoprobe on|off off: new VFs get no host driver (they are meant for vfio-pci and VMs).',
    '--persist          Recreate the VFs at every boot (udev rule for this PF only). --vfs 0 removes it.',
    '--vf I             Configure VF number I (0-based) through the PF driver:',
    '  --mac M          unicast MAC (or "random": a locally administered one); 00:00:00:00:00:00 clears it',
    '  --vlan V         VLAN 0-4095 (0: untagged), --qos Q 802.1p priority 0-7',
    '  --trust, --spoofchk on|off; --state auto|enable|disable (not every driver has it)',
    '--dry-run          Print the plan; change nothing.',
    '--yes, -y          Do not ask (required without a terminal).',
    '--force, --confirm NAME   Override a forceable refusal (a VF interface in use).',
    '--json             Print the plan or the result as JSON.',
    '--root DIR, --state-dir DIR   As for assign.',
  ],
  options: {
    ...COMMON_OPTIONS,
    ...WRITE_OPTIONS,
    vfs: { type: 'string' },
    autoprobe: { type: 'string' },
    persist: { type: 'boolean' },
    vf: { type: 'string' },
    mac: { type: 'string' },
    vlan: { type: 'string' },
    qos: { type: 'string' },
    trust: { type: 'string' },
    spoofchk: { type: 'string' },
    state: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    confirm: { type: 'string' },
  },
  positionals: ['ADDRESS'],
  // Shapes and ranges (checked before anything runs); the planner checks them against the device.
  values: {
    vfs: { type: 'integer', min: 0, max: 65535 },
    vf: { type: 'integer', min: 0, max: 65534 },
    vlan: { type: 'integer', min: 0, max: 4095 },
    qos: { type: 'integer', min: 0, max: 7 },
    mac: { type: 'text' },
    autoprobe: { type: 'choice', values: ['on', 'off'] },
    trust: { type: 'choice', values: ['on', 'off'] },
    spoofchk: { type: 'choice', values: ['on', 'off'] },
    state: { type: 'choice', values: ['auto', 'enable', 'disable'] },
  },
  async run(args, io) {
    const v = args.values;
    const address = args.positionals[0] ?? '';
    const vfOptions = ['mac', 'vlan', 'qos', 'trust', 'spoofchk', 'state'].filter((k) => v[k] !== undefined);
    if ((v.vfs === undefined) === (v.vf === undefined)) throw bad("Give either --vfs N (the VF count) or --vf I (one VF's settings).");
    if (v.vfs !== undefined && vfOptions.length) throw bad(`--${vfOptions[0]} goes with --vf I, not --vfs.`);
    if (v.vf !== undefined && (v.autoprobe !== undefined || v.persist)) throw bad('--autoprobe and --persist go with --vfs N.');
    const service = makeService(v);
    if (!v['dry-run']) reportIncomplete(service, io);
    if (v.vfs !== undefined) {
      const autoprobe = onOff(v.autoprobe, '--autoprobe');
      const plan = await service.planChange({
        kind: 'sriov',
        address,
        numVfs: count(v.vfs, '--vfs'),
        persist: v.persist === true,
        force: v.force === true,
        ...(autoprobe === undefined ? {} : { autoprobe }),
      });
      await planAndApply(service, plan, v, io);
      return;
    }
    const settings = vfChangeFrom(v);
    if (!Object.keys(settings).length) throw bad('Nothing to change: give --mac, --vlan, --trust, --spoofchk or --state with --vf.');
    await planAndApply(service, await service.planChange({ kind: 'vf-config', address, vf: count(v.vf, '--vf'), settings }), v, io);
  },
};
