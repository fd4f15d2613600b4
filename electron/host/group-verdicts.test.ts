/**
 * The passthrough verdict of every group, on the fixture hosts captured from real kernels and
 * on fake hosts with what the host cannot give up: one verdict users can act on (issue 14) —
 * not the kernel's "viable", which calls a lone root port usable and a lone VF on igbvf a blocker.
 */
import { describe, expect, it } from 'vitest';
import type { HostScan, PassthroughState } from '../../shared/model';
import { RootFs } from './fs/root-fs';
import { scanHost } from './scan';
import { buildFakeHost, labHostSpec } from './testing/fake-sysfs';
import { makeManagementNic, makeRootDiskController } from './testing/host-roles';
import { fileURLToPath } from 'node:url';

const fixture = (name: string) => fileURLToPath(new URL(`../../e2e/fixtures/${name}`, import.meta.url));
const scanOf = (root: string) => scanHost(new RootFs(root));
const stateOf = (scan: HostScan, address: string): PassthroughState | undefined => {
  const d = scan.devices.find((x) => x.address === address);
  return scan.groups.find((g) => g.id === d?.iommuGroup)?.passthrough.state;
};

describe('group verdicts on the fixture hosts', () => {
  it('many-vfs: every VF is assignable, root ports host-only, the management NIC blocked', async () => {
    const scan = await scanOf(fixture('many-vfs'));
    const vfs = scan.devices.filter((d) => d.physfn !== null);
    expect(vfs).toHaveLength(28);
    for (const vf of vfs) expect(stateOf(scan, vf.address), vf.address).toBe('assignable');
    const ports = scan.devices.filter((d) => d.classId.startsWith('0604'));
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(stateOf(scan, p.address), p.address).toBe('host-only');
    const mgmt = scan.interfaces.find((i) => i.management);
    expect(stateOf(scan, mgmt!.device!)).toBe('blocked');
    const mgmtGroup = scan.groups.find((g) => g.devices.includes(mgmt!.device!));
    expect(mgmtGroup?.passthrough.reasons.join(' ')).toContain(`(${mgmt!.name})`);
    // The lab guest's root lives on the 9p transport: its controller is blocked too.
    expect(stateOf(scan, '0000:00:10.0')).toBe('blocked');
    // Before: the kernel's viable said 36 of 42 groups were not usable, the VFs among them.
    expect(scan.groups.filter((g) => !g.viable)).toHaveLength(36);
  });

  it('shared-group: the two NICs behind the PCI bridge are shared, the bridge named', async () => {
    const scan = await scanOf(fixture('shared-group'));
    const g = scan.groups.find((x) => x.devices.includes('0000:02:01.0'))!;
    expect(g.passthrough).toMatchObject({ state: 'shared', members: ['0000:02:01.0', '0000:02:02.0'] });
    expect(g.passthrough.reasons.join(' ')).toMatch(/0000:02:01\.0 \(e1000\) and 0000:02:02\.0 \(8139cp\).*Bridges in the group \(0000:01:00\.0\) stay with the host/);
    // What joins them, and what to do about it.
    expect(g.passthrough.joinedBy).toEqual([expect.stringMatching(/^0000:02:01\.0 and 0000:02:02\.0 sit behind 0000:01:00\.0 \(PCI bridge\), which cannot keep devices apart/)]);
    expect(g.passthrough.options.join(' ')).toMatch(/whole group.*another slot.*ACS setting in the firmware.*pcie_acs_override=/);
  });

  it('no-iommu: no group at all (and so no verdict to get wrong)', async () => {
    const scan = await scanOf(fixture('no-iommu'));
    expect(scan.groups).toEqual([]);
    expect(scan.devices.every((d) => d.iommuGroup === null)).toBe(true);
  });

  it('seed: the igb PF assignable, the e1000e management NIC blocked, the PCH functions shared', async () => {
    const scan = await scanOf(fixture('seed'));
    expect(stateOf(scan, '0000:01:00.0')).toBe('assignable');
    expect(stateOf(scan, '0000:02:00.0')).toBe('blocked');
    expect(stateOf(scan, '0000:00:1f.2')).toBe('shared');
    const pch = scan.groups.find((g) => g.devices.includes('0000:00:1f.2'))!;
    expect(pch.passthrough.joinedBy).toEqual(['0000:00:1f.2 and 0000:00:1f.3 are functions of one device (slot 0000:00:1f), which does not isolate its functions from each other (no ACS between them).']);
    // A group of one endpoint has nothing joining it.
    expect(scan.groups.find((g) => g.devices.includes('0000:01:00.0'))!.passthrough.joinedBy).toEqual([]);
  });
});

describe('group verdicts for what the host cannot give up', () => {
  it('the controller of / blocks its whole group; the boot display blocks; a VF on vfio-pci is ready', async () => {
    const root = buildFakeHost(labHostSpec());
    makeRootDiskController(root, '0000:00:1f.2');
    const scan = await scanOf(root);
    const sata = scan.groups.find((g) => g.devices.includes('0000:00:1f.2'))!;
    expect(sata.passthrough).toMatchObject({ state: 'blocked', reasons: ['0000:00:1f.2 is needed by this host: it holds the filesystem mounted at /.'] });
    expect(stateOf(scan, '0000:00:01.0')).toBe('blocked'); // bochs-drm, boot_vga
    expect(stateOf(scan, '0000:01:10.2')).toBe('ready');
    expect(stateOf(scan, '0000:00:04.0')).toBe('assignable'); // no driver: one assign binds vfio-pci
  });

  it('a PF whose VF carries the default route is blocked: rebinding it destroys the VF', async () => {
    const root = buildFakeHost(labHostSpec());
    makeManagementNic(root, 'enp1s0v0');
    const scan = await scanOf(root);
    expect(stateOf(scan, '0000:01:10.0')).toBe('blocked');
    const pf = scan.groups.find((g) => g.devices.includes('0000:01:00.0'))!;
    expect(pf.passthrough.state).toBe('blocked');
    expect(pf.passthrough.reasons[0]).toMatch(/PF whose VF 0000:01:10\.0 is needed by this host .*destroys its VFs/);
  });
});
