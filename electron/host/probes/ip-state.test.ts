import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { RootFs } from '../fs/root-fs';
import type { HostFs } from '../fs/host-fs';
import { CommandError, type CommandRunner } from '../exec/run-command';
import { SNAPSHOT_IP_STATE_PATH } from '../snapshot-format';
import { compressIpv6, IP_COMMANDS, loadIpState, parseIpCapture, parseVfInfo, readProcNet, type IpCapture } from './ip-state';
import { BRIDGE_NS_IP, BRIDGE_NS_PROCFS, THIS_MACHINE_IP, THIS_MACHINE_PROCFS } from '../testing/ip-state.fixtures';
import { makeTempRoot, writeTree } from '../testing/network-test-tree';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, string>): RootFs {
  const root = makeTempRoot();
  roots.push(root);
  writeTree(root, files);
  return new RootFs(root);
}

/** A tree that claims to be the live host (root '/'), so loadIpState asks iproute2. */
function asLive(inner: HostFs): HostFs {
  return new Proxy(inner, { get: (t, k) => (k === 'root' ? '/' : Reflect.get(t, k, t)) }) as HostFs;
}

function fakeRunner(capture: IpCapture): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CommandRunner = async (argv) => {
    calls.push([...argv]);
    const key = (Object.keys(IP_COMMANDS) as (keyof typeof IP_COMMANDS)[]).find((k) => IP_COMMANDS[k].join(' ') === argv.join(' '));
    if (!key) throw new Error(`unexpected command ${argv.join(' ')}`);
    return { argv, exitCode: 0, stdout: JSON.stringify(capture[key]), stderr: '', durationMs: 1 };
  };
  return { run, calls };
}

describe('parseIpCapture', () => {
  it('reads this machine: eth0 carries both default routes and three addresses', () => {
    const s = parseIpCapture(THIS_MACHINE_IP, 'iproute2');
    expect([...s.defaultRoutes.ipv4]).toEqual(['eth0']);
    expect([...s.defaultRoutes.ipv6]).toEqual(['eth0']);
    expect(s.addresses.get('eth0')).toEqual([
      { family: 'ipv4', address: '192.0.2.2', prefixLength: 24, scope: 'global' },
      { family: 'ipv6', address: 'fd00::2', prefixLength: 64, scope: 'global' },
      { family: 'ipv6', address: 'fe80::fc:ff:fe00:1', prefixLength: 64, scope: 'link' },
    ]);
    expect(s.addresses.get('ifb0')).toEqual([]);
    expect([...s.routed]).toEqual(['eth0']);
    expect(s.ipv4AddressesKnown).toBe(true);
  });

  it('ignores link-local and multicast routes when deciding what is routed', () => {
    const s = parseIpCapture(BRIDGE_NS_IP, 'iproute2');
    expect([...s.defaultRoutes.ipv4]).toEqual(['br0']);
    expect([...s.defaultRoutes.ipv6]).toEqual(['br0']);
    expect([...s.routed].sort()).toEqual(['br0', 'mv0']);
  });

  it('follows multipath next hops and skips unreachable routes', () => {
    const s = parseIpCapture(
      {
        formatVersion: 1,
        address: [],
        route4: [
          {
            dst: 'default',
            flags: [],
            nexthops: [
              { gateway: '10.8.0.1', dev: 'mv0', weight: 1, flags: [] },
              { gateway: '10.7.0.2', dev: 'v1', weight: 1, flags: [] },
            ],
          },
          { type: 'unreachable', dst: '198.51.100.0/24', flags: [] },
          { type: 'blackhole', dst: 'default', flags: [] },
        ],
        route6: [],
      },
      'iproute2',
    );
    expect([...s.defaultRoutes.ipv4].sort()).toEqual(['mv0', 'v1']);
    expect([...s.routed].sort()).toEqual(['mv0', 'v1']);
  });

  it('rejects output that is not ip -j JSON', () => {
    expect(() => parseIpCapture({ formatVersion: 1, address: {}, route4: [], route6: [] }, 'iproute2')).toThrow();
  });
});

describe('readProcNet (no iproute2)', () => {
  it('finds the same default routes and routed interfaces as iproute2 on this machine', () => {
    const fromProc = readProcNet(tree(THIS_MACHINE_PROCFS));
    const fromIp = parseIpCapture(THIS_MACHINE_IP, 'iproute2');
    expect(fromProc.source).toBe('procfs');
    expect(fromProc.defaultRoutes).toEqual(fromIp.defaultRoutes);
    expect(fromProc.routed).toEqual(fromIp.routed);
    expect(fromProc.ipv4AddressesKnown).toBe(false);
    // IPv6 addresses match iproute2's; IPv4 ones are not in procfs.
    const v6 = (fromIp.addresses.get('eth0') ?? []).filter((a) => a.family === 'ipv6');
    expect(new Set(fromProc.addresses.get('eth0'))).toEqual(new Set(v6));
  });

  it('agrees with iproute2 in the bridge/macvlan namespace', () => {
    const fromProc = readProcNet(tree(BRIDGE_NS_PROCFS));
    const fromIp = parseIpCapture(BRIDGE_NS_IP, 'iproute2');
    expect(fromProc.defaultRoutes).toEqual(fromIp.defaultRoutes);
    expect([...fromProc.routed].sort()).toEqual([...fromIp.routed].sort());
    for (const [name, list] of fromIp.addresses) {
      const v6 = list.filter((a) => a.family === 'ipv6');
      expect(new Set(fromProc.addresses.get(name) ?? [])).toEqual(new Set(v6));
    }
  });

  it('says "none" when procfs has nothing', () => {
    const s = readProcNet(tree({ '/proc/version': 'x' }));
    expect(s.source).toBe('none');
    expect(s.routed.size).toBe(0);
  });
});

describe('loadIpState', () => {
  it('asks iproute2 on the live host and keeps its raw JSON', async () => {
    const withLink: IpCapture = { ...THIS_MACHINE_IP, link: [{ ifname: 'eth0', flags: ['UP'] }] };
    const { run, calls } = fakeRunner(withLink);
    const { state, capture } = await loadIpState(asLive(tree({})), { run });
    expect(calls).toEqual(Object.values(IP_COMMANDS).map((c) => [...c]));
    expect(state.source).toBe('iproute2');
    expect(capture).toEqual(withLink);
    expect(state.vfSettings).toEqual(new Map());
  });

  it('falls back to procfs when ip is not installed', async () => {
    const run: CommandRunner = async (argv) => {
      throw new CommandError({ argv, failure: 'not-found' });
    };
    const { state, capture } = await loadIpState(asLive(tree(THIS_MACHINE_PROCFS)), { run });
    expect(capture).toBeNull();
    expect(state.source).toBe('procfs');
    expect([...state.defaultRoutes.ipv4]).toEqual(['eth0']);
  });

  it('keeps the IPv4 data when only the IPv6 query fails (ipv6.disable=1)', async () => {
    const { run: ok } = fakeRunner(THIS_MACHINE_IP);
    const run: CommandRunner = async (argv, o) => {
      if (argv.includes('-6')) throw new CommandError({ argv, failure: 'exit', exitCode: 2, stderr: 'Address family not supported' });
      return ok(argv, o);
    };
    const { state, capture } = await loadIpState(asLive(tree({})), { run });
    expect(state.source).toBe('iproute2');
    expect(capture?.route6).toEqual([]);
    expect([...state.defaultRoutes.ipv4]).toEqual(['eth0']);
    expect(state.defaultRoutes.ipv6.size).toBe(0);
  });

  it('falls back to procfs when ip prints something unparsable', async () => {
    const run: CommandRunner = async (argv) => ({ argv, exitCode: 0, stdout: 'garbage', stderr: '', durationMs: 1 });
    const { state } = await loadIpState(asLive(tree(THIS_MACHINE_PROCFS)), { run });
    expect(state.source).toBe('procfs');
  });

  it('reads the capture stored in a snapshot, never running ip for another root', async () => {
    const fs = tree({ [SNAPSHOT_IP_STATE_PATH]: JSON.stringify(BRIDGE_NS_IP), ...THIS_MACHINE_PROCFS });
    const run: CommandRunner = async () => {
      throw new Error('must not run commands for a snapshot');
    };
    const { state, capture } = await loadIpState(fs, { run });
    expect(state.source).toBe('snapshot');
    expect(capture).toEqual(BRIDGE_NS_IP);
    expect([...state.defaultRoutes.ipv4]).toEqual(['br0']);
  });

  it('uses procfs under a root without a stored capture', async () => {
    const { state } = await loadIpState(tree(BRIDGE_NS_PROCFS));
    expect(state.source).toBe('procfs');
    expect([...state.defaultRoutes.ipv6]).toEqual(['br0']);
  });
});

describe('compressIpv6', () => {
  it('prints procfs hex the way ip does', () => {
    expect(compressIpv6('fe8000000000000000fc00fffe000001')).toBe('fe80::fc:ff:fe00:1');
    expect(compressIpv6('00000000000000000000000000000001')).toBe('::1');
    expect(compressIpv6('20010db8000000000000000000000002')).toBe('2001:db8::2');
  });
});

describe('VF settings from ip -j link show', () => {
  // Captured in the lab's seed guest (igb, kernel 6.1, iproute2 6.1) after
  // `ip link set dev enp1s0 vf 1 mac 02:11:22:33:44:55 vlan 100 qos 3 spoofchk off`.
  const LINK = [
    {
      ifindex: 3,
      ifname: 'enp1s0',
      flags: ['BROADCAST', 'MULTICAST'],
      mtu: 1500,
      operstate: 'DOWN',
      link_type: 'ether',
      address: '52:54:00:12:34:10',
      vfinfo_list: [
        {
          vf: 0,
          link_type: 'ether',
          address: '00:00:00:00:00:00',
          broadcast: 'ff:ff:ff:ff:ff:ff',
          vlan_list: [{}],
          rate: { max_tx: 0, min_tx: 0 },
          spoofchk: true,
          link_state: 'auto',
          trust: false,
        },
        {
          vf: 1,
          link_type: 'ether',
          address: '02:11:22:33:44:55',
          broadcast: 'ff:ff:ff:ff:ff:ff',
          vlan_list: [{ vlan: 100, qos: 3 }],
          rate: { max_tx: 0, min_tx: 0 },
          spoofchk: false,
          link_state: 'auto',
          trust: false,
        },
      ],
    },
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536 },
  ];

  it('reads MAC (zeros = none set), VLAN and QoS, spoof check, trust and link state per VF', () => {
    const s = parseIpCapture({ formatVersion: 1, address: [], route4: [], route6: [], link: LINK }, 'iproute2');
    expect(s.vfSettings?.get('enp1s0')).toEqual([
      { index: 0, mac: null, vlan: 0, qos: 0, spoofCheck: true, trust: false, linkState: 'auto' },
      { index: 1, mac: '02:11:22:33:44:55', vlan: 100, qos: 3, spoofCheck: false, trust: false, linkState: 'auto' },
    ]);
    expect(s.vfSettings?.has('lo')).toBe(false);
  });

  it('reads the older flat vlan/qos form, and knows nothing without the link capture', () => {
    expect(parseVfInfo({ vf: 4, address: '02:00:00:00:00:04', vlan: 7, qos: 1, spoofchk: true }, 0)).toMatchObject({ index: 4, vlan: 7, qos: 1, trust: null, linkState: null });
    expect(parseIpCapture({ formatVersion: 1, address: [], route4: [], route6: [] }, 'iproute2').vfSettings).toBeNull();
  });
});
