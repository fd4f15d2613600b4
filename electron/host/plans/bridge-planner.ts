/**
 * The plan for bridging a host NIC for VMs (or removing such a bridge): what was found about
 * the NIC — its stack, MAC, addresses, routes, DNS, whether this session comes through it — the
 * stack's file as a diff, the stack's own commands, and the checks of confirm-or-revert. The
 * bridge takes the NIC's identity (MAC, addressing, routes); STP is off with no forward delay
 * (a VM host's bridge is no switch fabric, and STP's 30 s would outlast any rollback window)
 * and multicast snooping is off (without a querier, mDNS dies after minutes).
 *
 * Changes go through the stack that manages the NIC. ifupdown is done; the others are refused
 * with the reason, and nothing is changed behind their back.
 */
import { NETWORK_STACK_NAMES, type BridgePlanDetail, type FoundAddress, type FoundRoute } from '#shared/bridge';
import type { LiveCheck } from '#shared/confirm-window';
import type { ChangeIntent, OpCall, PlanCheck } from '#shared/plan';
import { createTwoFilesPatch } from 'diff';
import type { HostFs } from '../fs/host-fs';
import { bridgeInInterfaces, readInterfacesFiles, unbridgeInInterfaces } from '../network/ifupdown-bridge';
import { detectNetworkStack, type StackFinding } from '../network/network-stack';
import { addrGenModeOf } from '../network/addr-gen-mode';
import { isNetworkFile } from '../network/network-files';
import { textSha256 } from '../network/text-digest';
import { loadIpState } from '../probes/ip-state';
import type { PlanIds } from './assign-planner';
import type { PlanDraft, PlannedStep } from './plan-steps';

/** `session`: the host address the asking connection came to (to tell whether it comes through the NIC). */
export type BridgeIntent = Extract<ChangeIntent, { kind: 'bridge' }>;

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string; dynamic?: boolean }[];
}
interface IpRouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
}

/** The addresses and routes an interface holds now, from iproute2's JSON (or a snapshot's). */
async function addressing(fs: HostFs, iface: string): Promise<{ addresses: FoundAddress[]; routes: FoundRoute[] }> {
  const { capture } = await loadIpState(fs);
  const links = (Array.isArray(capture?.address) ? capture.address : []) as IpAddrJson[];
  const addresses = (links.find((l) => l.ifname === iface)?.addr_info ?? [])
    .filter((a) => a.scope === 'global' && typeof a.local === 'string')
    .map((a) => ({ address: `${a.local}/${a.prefixlen}`, family: a.family === 'inet6' ? ('ipv6' as const) : ('ipv4' as const), dynamic: a.dynamic === true }));
  const routesOf = (list: unknown, family: 'ipv4' | 'ipv6'): FoundRoute[] =>
    ((Array.isArray(list) ? list : []) as IpRouteJson[])
      .filter((r) => r.dev === iface && (r.gateway !== undefined || r.dst === 'default'))
      .map((r) => ({ destination: r.dst ?? 'default', gateway: r.gateway ?? null, family }));
  return { addresses, routes: [...routesOf(capture?.route4, 'ipv4'), ...routesOf(capture?.route6, 'ipv6')] };
}

const check = (id: string, title: string, status: PlanCheck['status'], detail: string, remedy: string | null = null): PlanCheck => ({
  id,
  title,
  status,
  detail,
  remedy,
  forceable: false,
});

/** What the NIC is: refusals for anything that cannot be a bridge port. */
function portProblem(fs: HostFs, port: string): string | null {
  const dir = `/sys/class/net/${port}`;
  if (!fs.exists(dir)) return `There is no network interface ${port} on this host.`;
  if (port === 'lo') return 'The loopback interface cannot be a bridge port.';
  if (fs.exists(`${dir}/wireless`) || fs.exists(`${dir}/phy80211`)) return `${port} is a Wi-Fi interface; the kernel does not let a Wi-Fi client be a bridge port.`;
  if (fs.isDirectory(`${dir}/bridge`)) return `${port} is a bridge itself.`;
  const master = fs.readLink(`${dir}/master`);
  if (master !== null) return `${port} is already a port of ${master.split('/').pop()}.`;
  return null;
}

/** Warnings every bridge plan carries: what may keep VMs on the bridge from the network. */
function preflight(fs: HostFs, port: string, session: boolean | null, bridge: string): PlanCheck[] {
  const checks: PlanCheck[] = [];
  if (session) {
    checks.push(
      check(
        'session',
        'This session comes through the NIC',
        'warn',
        `The connection that asked reaches the host through ${port}; it drops for a moment while ${bridge} takes over.`,
        'Confirm from a new connection once it is back; without a confirmation everything is put back by itself.',
      ),
    );
  }
  if (fs.readText('/proc/sys/net/bridge/bridge-nf-call-iptables')?.trim() === '1') {
    checks.push(
      check(
        'br-netfilter',
        'Bridged traffic bypasses the firewall',
        'warn',
        "br_netfilter is loaded with bridge-nf-call-iptables=1 (Docker sets it): the host firewall filters the VMs' bridged traffic, and Docker's FORWARD policy drops it.",
        'Allow it (iptables -I FORWARD -m physdev --physdev-is-bridged -j ACCEPT) or set net.bridge.bridge-nf-call-iptables=0.',
      ),
    );
  }
  checks.push(
    check(
      'extra-macs',
      "The network may refuse the VMs' MACs",
      'warn',
      `Each VM on ${bridge} appears on ${port}'s network with a MAC of its own; a switch with port security, or a hosting provider that allows one MAC per port, drops them.`,
      null,
    ),
  );
  return checks;
}

function confirmChecks(iface: string, found: { addresses: FoundAddress[]; routes: FoundRoute[] }, dhcp: boolean, canPing: boolean): LiveCheck[] {
  const checks: LiveCheck[] = [{ check: 'link-up', iface }];
  for (const a of found.addresses.filter((x) => !x.dynamic)) checks.push({ check: 'address', iface, address: a.address });
  if (dhcp) checks.push({ check: 'any-address', iface, family: 'ipv4' });
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (found.routes.some((r) => r.destination === 'default' && r.family === family)) checks.push({ check: 'default-route', iface, family });
  }
  const gateway = found.routes.find((r) => r.destination === 'default' && r.family === 'ipv4' && r.gateway)?.gateway;
  if (gateway && canPing) checks.push({ check: 'gateway-answers', iface, gateway });
  return checks;
}

/** Whether the session's address (where the caller reached the host) is on the interface. */
function sessionThrough(session: string | null, addresses: FoundAddress[]): boolean | null {
  if (session === null) return null;
  return addresses.some((a) => a.address.split('/')[0] === session);
}

function step(id: string, title: string, op: OpCall, verify: string, undo: OpCall | null, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { id, title, op, verify, undo, ...extra };
}

/** The undo of a file write: the old content back, expected over exactly what was written. */
function restoreNetworkFile(path: string, before: string, after: string): OpCall {
  return { verb: 'write-network-file', path, content: before, expectSha256: textSha256(after) };
}

export async function planBridge(fs: HostFs, ids: PlanIds, i: BridgeIntent): Promise<PlanDraft> {
  const files = readInterfacesFiles(fs);
  const canPing = ['/usr/bin/ping', '/bin/ping'].some((p) => fs.exists(p));
  const checks: PlanCheck[] = [];
  let refusal: PlanDraft['refusal'] = null;
  const refuse = (id: string, title: string, message: string, remedy: string | null): void => {
    checks.push(check(id, title, 'fail', message, remedy));
    refusal ??= { message, remedy, forceable: false, confirmText: null };
  };

  // Which interface holds the identity now: the NIC (create), or the bridge (remove).
  const edit =
    i.action === 'create' ? bridgeInInterfaces(files, { port: i.port, bridge: i.bridge, mac: macOf(fs, i.port) ?? '' }) : unbridgeInInterfaces(files, { bridge: i.bridge });
  const port: string = i.action === 'create' ? i.port : edit.ok && 'port' in edit ? String(edit.port) : (bridgePortsLive(fs, i.bridge)[0] ?? '');
  const holder = i.action === 'create' ? i.port : i.bridge;
  const found = await addressing(fs, holder);
  const stack: StackFinding = detectNetworkStack(fs, holder, files);
  const session = sessionThrough(i.session, found.addresses);

  if (i.action === 'create') {
    const problem = portProblem(fs, i.port);
    if (problem) refuse('port', `${i.port} can be a bridge port`, problem, 'Pick a wired NIC that is not already a port of a bridge or bond.');
    if (fs.exists(`/sys/class/net/${i.bridge}`))
      refuse('name', `The name ${i.bridge} is free`, `An interface named ${i.bridge} exists already.`, 'Pick another name for the bridge.');
  } else {
    if (!fs.isDirectory(`/sys/class/net/${i.bridge}/bridge`) && !edit.ok) refuse('bridge', `${i.bridge} is a bridge`, `There is no bridge ${i.bridge} on this host.`, null);
    const others = bridgePortsLive(fs, i.bridge).filter((p) => p !== port);
    if (others.length)
      refuse(
        'ports',
        `Nothing else is on ${i.bridge}`,
        `${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} on ${i.bridge} too (VMs' taps or other ports).`,
        'Stop the VMs using the bridge, or move their NICs, first.',
      );
  }

  if (stack.stack !== 'ifupdown') {
    const why =
      stack.stack === 'none'
        ? `${stack.evidence} Passthru changes the network only through the stack that manages it.`
        : `${holder} is managed by ${NETWORK_STACK_NAMES[stack.stack]} (${stack.evidence}), which Passthru cannot change yet; only ifupdown is done so far.`;
    refuse(
      'stack',
      'The network stack is one Passthru changes',
      why,
      stack.stack === 'none' ? 'Configure it with your network stack by hand, following the plan above.' : `Make the bridge with ${NETWORK_STACK_NAMES[stack.stack]}'s own tools.`,
    );
  } else {
    checks.push(check('stack', 'The network stack is one Passthru changes', 'pass', `${stack.evidence} The change is made there, and ifupdown applies it.`));
  }
  if (!edit.ok && stack.stack === 'ifupdown') refuse('config', "ifupdown's configuration can be changed", edit.reason, edit.remedy);
  else if (edit.ok && !isNetworkFile(edit.path)) {
    refuse(
      'config',
      "ifupdown's configuration can be changed",
      `${port}'s stanza is in ${edit.path}, which Passthru does not write (only /etc/network/interfaces and files in /etc/network/interfaces.d/).`,
      'Move the stanza into one of those, or make the bridge by hand.',
    );
  }
  checks.push(...preflight(fs, port, session, i.bridge));
  if (!canPing) checks.push(check('ping', 'The gateway can be checked', 'warn', 'ping is not installed, so the gateway is not asked to answer before you confirm.', null));

  const dhcp = edit.ok && (edit.inet === 'dhcp' || edit.inet6 === 'dhcp');
  const detail: BridgePlanDetail = {
    action: i.action,
    bridge: i.bridge,
    port,
    stack: stack.stack,
    stackEvidence: stack.evidence,
    mac: macOf(fs, holder),
    // From the stack's file when Passthru can read it; else from what the addresses say of themselves.
    addressing: edit.ok ? addressingOf(edit.inet, edit.inet6) : addressingFound(found.addresses),
    addresses: found.addresses,
    routes: found.routes,
    dns: edit.ok ? edit.options.filter((o) => /^dns[-_]/.test(o)) : [],
    session,
  };

  const steps: PlannedStep[] = [];
  if (refusal === null && edit.ok) {
    const [down, up] = i.action === 'create' ? [i.port, i.bridge] : [i.bridge, port];
    const write: OpCall = { verb: 'write-network-file', path: edit.path, content: edit.after, expectSha256: textSha256(edit.before) };
    const diff = createTwoFilesPatch(`a${edit.path}`, `b${edit.path}`, edit.before, edit.after, undefined, undefined, { context: 3 });
    // bridge-utils turns the port's IPv6 link-local address off and never back on: the mode it
    // had (create), or what new interfaces get (remove), is set again before the port comes up.
    const portMode = addrGenModeOf(fs, port);
    const wantedMode = i.action === 'create' ? portMode : (addrGenModeOf(fs, 'default') ?? 'eui64');
    const modeStep =
      portMode === null || wantedMode === null
        ? []
        : [
            step(
              'ipv6-linklocal',
              i.action === 'create'
                ? `Record how ${port} makes its IPv6 link-local address (${portMode}), so that taking the bridge down gives it back`
                : `Let ${port} make its IPv6 link-local address again (${wantedMode}; the bridge's scripts had turned it off)`,
              { verb: 'set-addrgenmode', iface: port, mode: wantedMode },
              `${port}'s addr_gen_mode is ${wantedMode}.`,
              { verb: 'set-addrgenmode', iface: port, mode: portMode },
            ),
          ];
    steps.push(
      step('ifdown', `Take ${down} down through ifupdown, as it is configured now`, { verb: 'ifupdown', action: 'down', iface: down }, `ifupdown no longer lists ${down} as up.`, {
        verb: 'ifupdown',
        action: 'up',
        iface: down,
      }),
      ...(i.action === 'create' ? modeStep : []),
      step(
        'write-config',
        `Write ${edit.path}: ${i.action === 'create' ? `${i.bridge} with ${i.port} as its port and ${i.port}'s configuration` : `${port} with ${i.bridge}'s configuration, and no ${i.bridge}`}`,
        write,
        `${edit.path} holds the new configuration.`,
        restoreNetworkFile(edit.path, edit.before, edit.after),
        {
          diffs: [{ path: edit.path, unifiedDiff: diff }],
        },
      ),
      ...(i.action === 'remove' ? modeStep : []),
      step('ifup', `Bring ${up} up from the new configuration`, { verb: 'ifupdown', action: 'up', iface: up }, `ifupdown lists ${up} as up.`, {
        verb: 'ifupdown',
        action: 'down',
        iface: up,
      }),
    );
  }
  const checkOn = i.action === 'create' ? i.bridge : port;
  return {
    id: ids.planId,
    kind: 'bridge',
    createdAt: ids.now,
    target: '',
    devices: [],
    force: false,
    checks,
    refusal,
    noop: false,
    steps,
    original: {},
    detail: { kind: 'bridge', ...detail },
    confirm: refusal === null ? { seconds: i.confirmSeconds, checks: confirmChecks(checkOn, found, dhcp, canPing) } : null,
  };
}

function macOf(fs: HostFs, iface: string): string | null {
  const mac = fs.readText(`/sys/class/net/${iface}/address`)?.trim().toLowerCase() ?? '';
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) ? mac : null;
}

function bridgePortsLive(fs: HostFs, bridge: string): string[] {
  return fs.list(`/sys/class/net/${bridge}/brif`);
}

function addressingOf(inet: string | null, inet6: string | null): BridgePlanDetail['addressing'] {
  const methods = [inet, inet6].filter((m): m is string => m !== null && m !== 'manual');
  const dhcp = methods.some((m) => m === 'dhcp' || m === 'auto');
  const fixed = methods.some((m) => m === 'static');
  return dhcp && fixed ? 'static and dhcp' : dhcp ? 'dhcp' : fixed ? 'static' : 'none';
}

function addressingFound(addresses: readonly FoundAddress[]): BridgePlanDetail['addressing'] {
  const dhcp = addresses.some((a) => a.dynamic);
  const fixed = addresses.some((a) => !a.dynamic);
  return dhcp && fixed ? 'static and dhcp' : dhcp ? 'dhcp' : fixed ? 'static' : 'none';
}
