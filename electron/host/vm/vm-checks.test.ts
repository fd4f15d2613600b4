import { describe, expect, it } from 'vitest';
import type { HostScan, PciDevice } from '#shared/model';
import { vmProfileSchema, type VmNic } from '#shared/vm';
import type { HostFs } from '../fs/host-fs';
import { VmCheckRefusal, assertVmChecks, runVmChecks } from './vm-checks';
import { fixCommand } from '../../cli/commands/vm-format';

const dev = (address: string, driver: string | null, group: number): PciDevice =>
  ({ address, driver, iommuGroup: group, vendorId: '8086', deviceId: '10ca', vendorName: 'Intel', deviceName: '82576 VF' }) as unknown as PciDevice;

/** Group 14: a VF alone on vfio-pci. Group 1: a PF on vfio-pci sharing with its sibling on igb. Group 20: on igb. */
const verdict = (state: string, reasons: string[] = []) => ({ state, reasons, members: [] });

/**
 * Group 14: a VF alone on vfio-pci. Group 1: a PF on vfio-pci sharing with its sibling on igb.
 * Group 20: on igb. Group 40: the management NIC (blocked: the host needs it).
 */
const scan = {
  devices: [
    dev('0000:01:10.0', 'vfio-pci', 14),
    dev('0000:01:00.0', 'vfio-pci', 1),
    dev('0000:01:00.1', 'igb', 1),
    dev('0000:02:00.0', 'igb', 20),
    dev('0000:03:00.0', 'vfio-pci', 30),
    dev('0000:05:00.0', 'e1000e', 40),
  ],
  groups: [
    { id: 14, devices: ['0000:01:10.0'], viable: true, passthrough: verdict('ready'), blockers: [], openBy: [] },
    { id: 1, devices: ['0000:01:00.0', '0000:01:00.1'], viable: false, passthrough: verdict('shared'), blockers: [{ address: '0000:01:00.1', driver: 'igb' }], openBy: [] },
    { id: 20, devices: ['0000:02:00.0'], viable: false, passthrough: verdict('assignable'), blockers: [{ address: '0000:02:00.0', driver: 'igb' }], openBy: [] },
    { id: 30, devices: ['0000:03:00.0'], viable: true, passthrough: verdict('ready'), blockers: [], openBy: [{ pid: 4242, command: 'qemu-system-x86' }] },
    {
      id: 40,
      devices: ['0000:05:00.0'],
      viable: false,
      passthrough: verdict('blocked', ["0000:05:00.0 is needed by this host: it carries the host's default IPv4 route (enp5s0)."]),
      blockers: [{ address: '0000:05:00.0', driver: 'e1000e' }],
      openBy: [],
    },
  ],
} as unknown as HostScan;

const fs = (bridges: string[] = [], vfioOk: boolean | null = true): HostFs =>
  ({ exists: (p: string) => bridges.some((b) => p === `/sys/class/net/${b}/bridge` || p === `/sys/class/net/${b}`), accessibleRw: () => vfioOk }) as unknown as HostFs;

function run(
  nics: VmNic[],
  over: {
    memlock?: number | null;
    cap?: boolean;
    held?: [string, string][];
    vfioOk?: boolean | null;
    bridges?: string[];
    disks?: string[];
    snapshot?: { hostname: string | null };
  } = {},
) {
  const profile = vmProfileSchema.parse({
    name: 'v',
    cpus: 1,
    memoryMiB: 4096,
    firmware: 'seabios',
    machine: 'q35',
    disks: (over.disks ?? []).map((path) => ({ path, format: 'raw' })),
    iso: null,
    display: 'none',
    nics,
    createdAt: 'x',
  });
  return runVmChecks({
    profile,
    scan,
    fs: fs(over.bridges, over.vfioOk === undefined ? true : over.vfioOk),
    memlock: { bytes: over.memlock === undefined ? null : over.memlock, capIpcLock: over.cap ?? false },
    heldByOtherVms: new Map(over.held ?? []),
    fileExists: (p) => p === '/ok.img',
    snapshot: over.snapshot,
  });
}

const failed = (checks: ReturnType<typeof run>) => checks.filter((c) => c.status === 'fail');

describe('runVmChecks', () => {
  it('passes a VF alone in its group, on vfio-pci, with enough memlock', () => {
    expect(failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }]))).toEqual([]);
  });

  it('explains a shared, non-viable group before qemu starts', () => {
    const checks = run([{ kind: 'passthrough', address: '0000:01:00.0' }]);
    const f = failed(checks);
    expect(f.map((c) => c.id)).toEqual(['nic0-group']);
    expect(f[0]!.detail).toContain('shares IOMMU group 1 with 0000:01:00.1 (on igb)');
    expect(f[0]!.fix).toEqual({ kind: 'assign', address: '0000:01:00.0', wholeGroup: true });
    expect(f[0]!.remedy).toBe('Assign the whole group to vfio-pci if the host can spare that device, or choose a device in a group of its own.');
    expect(() => assertVmChecks(checks)).toThrow(/shares IOMMU group 1/);
  });

  it('says to assign a device still on its host driver', () => {
    const f = failed(run([{ kind: 'passthrough', address: '0000:02:00.0' }]));
    expect(f[0]).toMatchObject({
      id: 'nic0-driver',
      title: 'NIC 1: passthrough 0000:02:00.0 on vfio-pci',
      fix: { kind: 'assign', address: '0000:02:00.0', wholeGroup: false },
      code: 'REFUSED',
    });
  });

  it('refuses an unknown device, an inaccessible /dev/vfio node, a held group, a device of another VM', () => {
    expect(failed(run([{ kind: 'passthrough', address: '0000:09:00.0' }]))[0]).toMatchObject({ code: 'BAD_INPUT' });
    expect(failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { vfioOk: false }))[0]!.id).toBe('nic0-vfio-node');
    expect(failed(run([{ kind: 'passthrough', address: '0000:03:00.0' }]))[0]!.detail).toContain('qemu-system-x86 (pid 4242)');
    expect(failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { held: [['0000:01:10.0', 'other']] }))[0]!.detail).toContain('VM other is running');
  });

  it('checks memlock against guest memory unless CAP_IPC_LOCK', () => {
    const low = failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { memlock: 8 * 1048576 }));
    expect(low[0]).toMatchObject({ id: 'memlock', code: 'ENVIRONMENT' });
    expect(low[0]!.detail).toContain('8 MiB');
    expect(failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { memlock: 8 * 1048576, cap: true }))).toEqual([]);
    expect(run([{ kind: 'nat' }], { memlock: 1 }).some((c) => c.id === 'memlock')).toBe(false);
  });

  it('checks disks and bridges', () => {
    expect(failed(run([{ kind: 'bridge', bridge: 'br0' }], { bridges: ['br0'], disks: ['/ok.img'] }))).toEqual([]);
    expect(failed(run([{ kind: 'bridge', bridge: 'br9' }], { disks: ['/missing.img'] })).map((c) => c.id)).toEqual(['disk0', 'nic0-bridge']);
  });

  it('never offers to assign a device the host needs (the management NIC): it says why and to choose another', () => {
    const f = failed(run([{ kind: 'passthrough', address: '0000:05:00.0' }]));
    expect(f.map((c) => c.id)).toEqual(['nic0-host-needs', 'nic0-driver']);
    expect(f[0]!.detail).toContain("0000:05:00.0 is needed by this host: it carries the host's default IPv4 route (enp5s0).");
    expect(f[0]!.remedy).toMatch(/^Choose another device/);
    expect(f.every((c) => c.fix === null)).toBe(true);
    expect(f[1]!.fix).toBeNull();
  });

  it('numbers NICs from 1 as the form does, and says every remedy in words: no command line syntax (the CLI prints the fix command itself)', () => {
    const all = [
      ...run([{ kind: 'nat' }, { kind: 'passthrough', address: '0000:01:00.0' }, { kind: 'passthrough', address: '0000:02:00.0' }, { kind: 'bridge', bridge: 'br9' }], {
        vfioOk: false,
        memlock: 1,
      }),
      ...run([
        { kind: 'passthrough', address: '0000:09:00.0' },
        { kind: 'passthrough', address: '0000:05:00.0' },
        { kind: 'passthrough', address: '0000:03:00.0' },
      ]),
      ...run([{ kind: 'passthrough', address: '0000:01:10.0' }], { held: [['0000:01:10.0', 'other']] }),
    ];
    expect(all.filter((c) => c.id.startsWith('nic')).every((c) => /^NIC [1-9]/.test(c.title))).toBe(true);
    expect(all.find((c) => c.id === 'nic1-group')!.title).toMatch(/^NIC 2: /);
    for (const c of all) {
      for (const text of [c.title, c.detail, c.remedy ?? '']) {
        expect(text, c.id).not.toMatch(/passthru |--[a-z]|\$USER/);
      }
    }
  });

  it('a refused start carries the failed check and its fix (the CLI prints its command); another VM of ours is a stop-vm fix', () => {
    const checks = run([{ kind: 'passthrough', address: '0000:01:00.0' }]);
    const err = (() => {
      try {
        assertVmChecks(checks);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(VmCheckRefusal);
    expect((err as VmCheckRefusal).check.fix).toEqual({ kind: 'assign', address: '0000:01:00.0', wholeGroup: true });
    expect(fixCommand({ kind: 'assign', address: '0000:01:00.0', wholeGroup: true })).toBe('sudo passthru assign 0000:01:00.0 --group --owner "$USER"');
    const held = failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { held: [['0000:01:10.0', 'other']] }));
    expect(held[0]).toMatchObject({ remedy: 'Stop VM other first.', fix: { kind: 'stop-vm', name: 'other' } });
    expect(fixCommand({ kind: 'stop-vm', name: 'other' })).toBe('passthru vm stop other');
    expect(fixCommand({ kind: 'iommu' })).toBe('sudo passthru iommu enable');
  });

  it('never offers to assign a group the host needs, even where the group check fails', () => {
    const checks = run([{ kind: 'passthrough', address: '0000:05:00.0' }]);
    expect(checks.filter((c) => c.fix !== null)).toEqual([]);
  });

  it('an unknown /dev/vfio access (a host tree) is a warning, not a pass', () => {
    const c = run([{ kind: 'passthrough', address: '0000:01:10.0' }], { vfioOk: null }).find((x) => x.id === 'nic0-vfio-node');
    expect(c).toMatchObject({ status: 'warn', detail: '/dev/vfio/14: access cannot be known for this host tree.' });
  });

  describe('against a snapshot (a rehearsal)', () => {
    const snapshot = { hostname: 'lab-many-vfs' };

    it("refuses the start first, saying VMs run on this machine and not on the snapshot's host", () => {
      const checks = run([{ kind: 'nat' }], { snapshot });
      expect(checks[0]).toMatchObject({ id: 'host', status: 'fail', code: 'REFUSED' });
      expect(checks[0]!.detail).toContain('VMs run on this machine, not on lab-many-vfs');
      expect(checks[0]!.remedy).toContain('Back to live host');
      expect(() => assertVmChecks(checks)).toThrow(/VMs run on this machine, not on lab-many-vfs/);
      expect(run([{ kind: 'nat' }]).some((c) => c.id === 'host')).toBe(false);
    });

    it("reads the snapshot's devices and bridges, and names its host", () => {
      expect(failed(run([{ kind: 'passthrough', address: '0000:01:10.0' }], { snapshot, vfioOk: null })).map((c) => c.id)).toEqual(['host']);
      expect(failed(run([{ kind: 'passthrough', address: '0000:02:00.0' }], { snapshot }))[1]).toMatchObject({
        id: 'nic0-driver',
        fix: { kind: 'assign', address: '0000:02:00.0', wholeGroup: false },
      });
      expect(failed(run([{ kind: 'passthrough', address: '0000:09:00.0' }], { snapshot }))[1]!.detail).toBe('There is no PCI device 0000:09:00.0 on lab-many-vfs (the snapshot).');
      expect(failed(run([{ kind: 'passthrough', address: '0000:05:00.0' }], { snapshot }))[1]!.detail).toContain('is needed by lab-many-vfs (the snapshot)');
      const bridge = run([{ kind: 'bridge', bridge: 'br0' }], { snapshot, bridges: ['br0'] }).find((c) => c.id === 'nic0-bridge');
      expect(bridge).toMatchObject({ status: 'pass', detail: 'br0 is a bridge on lab-many-vfs (the snapshot).' });
    });

    it('warns about what a snapshot does not record instead of reading this machine: memlock, /dev/vfio access, processes', () => {
      // A locked-memory limit of 8 MiB and a VM holding the device here: neither is the snapshot host's.
      const checks = run([{ kind: 'passthrough', address: '0000:01:10.0' }], { snapshot, memlock: 8 * 1048576, held: [['0000:01:10.0', 'other']], vfioOk: null });
      const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
      expect(byId.memlock).toMatchObject({ status: 'warn' });
      expect(byId.memlock!.detail).toContain('does not record the locked-memory limit of lab-many-vfs (the snapshot)');
      expect(byId.memlock!.detail).toContain('at least 5120 MiB');
      expect(byId['nic0-vfio-node']).toMatchObject({ status: 'warn', detail: 'A snapshot does not record who may open /dev/vfio/14 on lab-many-vfs (the snapshot).' });
      expect(byId['nic0-free']).toMatchObject({ status: 'warn' });
      expect(byId['nic0-free']!.detail).toContain('A snapshot records no processes');
    });

    it('checks disk images on this machine, and says so', () => {
      const checks = run([], { snapshot, disks: ['/ok.img', '/missing.img'] });
      expect(checks.find((c) => c.id === 'disk0')!.detail).toBe('The image exists (on this machine: a snapshot holds no disk images).');
      expect(checks.find((c) => c.id === 'disk1')).toMatchObject({
        status: 'fail',
        detail: 'The disk image /missing.img does not exist (on this machine: a snapshot holds no disk images).',
      });
    });
  });
});
