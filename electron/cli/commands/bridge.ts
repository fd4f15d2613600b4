/**
 * `passthru bridge create NAME --port IFACE` / `passthru bridge remove NAME`: a Linux bridge
 * over a host NIC for VMs, through the NIC's own network stack, under confirm-or-revert — the
 * change is checked from the host's side, then kept only when confirmed in time.
 */
import { CONFIRM_SECONDS } from '#shared/confirm-window';
import { IFNAME_PATTERN } from '#shared/vm-names';
import { COMMON_OPTIONS, usageError, type CliCommand } from '../command-line';
import { makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

const ACTIONS = ['create', 'remove'] as const;
const ifname = { type: 'pattern', pattern: IFNAME_PATTERN, expected: 'an interface name such as br0 (1 to 15 letters, digits, _ . -)' } as const;

export const bridgeCommand: CliCommand = {
  name: 'bridge',
  summary: 'Bridge a NIC for VMs (the bridge takes its MAC and addresses), or remove such a bridge; kept only when confirmed.',
  usage: 'passthru bridge create NAME --port IFACE | remove NAME [--confirm-window S] [--dry-run] [--yes] [--json]',
  details: [
    "create NAME        Make bridge NAME with IFACE as its port: IFACE's MAC, addresses, routes and DNS move",
    '  --port IFACE     to the bridge; STP off, no forward delay, multicast snooping off.',
    'remove NAME        Remove the bridge and give its port the configuration back.',
    `--confirm-window S Seconds to confirm once the checks pass (${CONFIRM_SECONDS.min}-${CONFIRM_SECONDS.max}, default ${CONFIRM_SECONDS.default}).`,
    '                   Without a confirmation in time (or if a check fails) everything is put back',
    '                   by a timer of its own, even when this terminal or SSH session is gone.',
    '--dry-run          Print the plan (what was found, the file diff, the commands); change nothing.',
    '--yes, -y          Do not ask before applying. Without a terminal the change is left waiting:',
    '                   confirm it with `passthru confirm` within the window.',
    '--json             Print the plan or the result as JSON.',
    '--root DIR         Plan for a host tree (a snapshot); it is never applied there.',
    '--state-dir DIR    Journal directory.',
  ],
  options: { ...COMMON_OPTIONS, ...WRITE_OPTIONS, port: { type: 'string' }, 'confirm-window': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: ['ACTION', 'NAME'],
  actions: ACTIONS,
  values: { NAME: ifname, port: ifname, 'confirm-window': { type: 'integer', min: CONFIRM_SECONDS.min, max: CONFIRM_SECONDS.max, unit: 'seconds' } },
  async run(args, io) {
    const [action, bridge] = args.positionals as [(typeof ACTIONS)[number], string];
    const port = args.values.port;
    if (action === 'create' && typeof port !== 'string') throw usageError('bridge', 'bridge create needs --port IFACE: the NIC the bridge takes over.');
    if (action === 'remove' && port !== undefined) throw usageError('bridge', "--port does not go with bridge remove: the bridge's own port gets the configuration back.");
    const window = args.values['confirm-window'];
    const confirmSeconds = typeof window === 'string' ? Number(window) : undefined;
    const service = makeService(args.values);
    if (!args.values['dry-run']) reportIncomplete(service, io);
    const request = action === 'create' ? { kind: 'bridge', action, bridge, port, confirmSeconds } : { kind: 'bridge', action, bridge, confirmSeconds };
    await planAndApply(service, await service.planChange(JSON.parse(JSON.stringify(request)) as typeof request), args.values, io);
  },
};
