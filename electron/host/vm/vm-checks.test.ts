import { describe, expect, it } from 'vitest';
import type { HostScan, PciDevice } from '../../../shared/model';
import { vmProfileSchema, type VmNic } from '../../../shared/vm';
import type { HostFs } from '../fs/host-fs';
import { assertVmChecks, runVmChecks } from './vm-checks';

const dev = (address: string, driver: string | null, group: number): PciDevice => ({ address, driver, iommuGroup: group, vendorId: '8086', deviceId: '10ca', vendorName: 'Intel', deviceName: '82576 VF' }) as unknown as PciDevice;

/** Group 14: a VF alone on vfio-pci. Group 1: a PF on vfio-pci sharing with its sibling on igb. Group 20: on igb. */
const scan = {
  devices: [dev('0000:01:10.0', 'vfio-pci', 14), dev('0000:01:00.0', 'vfio-pci', 1), dev('0000:01:00.1', 'igb', 1), dev('0000:02:00.0', 'igb', 20), dev('0000:03:00.0', 'vfio-pci', 30)],
  groups: [
    { id: 14, devices: ['0000:01:10.0'], viable: true, blockers: [], openBy: [] },
    { id: 1, devices: ['0000:01:00.0', '0000:01:00.1'], viable: false, blockers: [{ address: '0000:01:00.1', driver: 'igb' }], openBy: [] },
    { id: 20, devices: ['0000:02:00.0'], viable: false, blockers: [{ address: '0000:02:00.0', driver: 'igb' }], openBy: [] },
    { id: 30, devices: ['0000:03:00.0'], viable: true, blockers: [], openBy: [{ pid: 4242, command: 'qemu-system-x86' }] },
  ],
} as unknown as HostScan;

const fs = (bridges: string[] = [], vfioOk = true): HostFs =>
  ({ exists: (p: string) => bridges.some((b) => p === `/sys/class/net/${b}/bridge` || p === `/sys/class/net/${b}`), accessibleRw: () => vfioOk }) as unknown as HostFs;

function run(nics: VmNic[], over: { memlock?: number | null; cap?: boolean; held?: [string, string][]; vfioOk?: boolean; bridges?: string[]; disks?: string[] } = {}) {
  const profile = vmProfileSchema.parse({ name: 'v', cpus: 1, memoryMiB: 4096, firmware: 'seabios', machine: 'q35', disks: (over.disks ?? []).map((path) => ({ path, format: 'raw' })), iso: null, display: 'none', nics, createdAt: 'x' });
  return runVmChecks({ profile, scan, fs: fs(over.bridges, over.vfioOk ?? true), memlock: { bytes: over.memlock === undefined ? null : over.memlock, capIpcLock: over.cap ?? false }, heldByOtherVms: new Map(over.held ?? []), fileExists: (p) => p === '/ok.img' });
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
    expect(f[0]!.fix).toBe('passthru assign 0000:01:00.0 --group');
    expect(() => assertVmChecks(checks)).toThrow(/shares IOMMU group 1/);
  });

  it('says to assign a device still on its host driver', () => {
    const f = failed(run([{ kind: 'passthrough', address: '0000:02:00.0' }]));
    expect(f[0]).toMatchObject({ id: 'nic0-driver', fix: 'passthru assign 0000:02:00.0', code: 'REFUSED' });
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
});
