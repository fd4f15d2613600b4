/**
 * The passthrough verdict of every group, on the fixture hosts captured from real kernels and
 * on fake hosts with what the host cannot give up: one verdict users can act on —
 * not the kernel's "viable", which calls a lone root port usable and a lone VF on igbvf a blocker.
 */
import { describe, expect, it } from 'vitest';
import type { HostScan, PassthroughState } from '#shared/model';
import { RootFs } from './fs/root-fs';
import { scanHost } from './scan';
import { buildFakeHost, labHostSpec } from './testing/fake-sysfs';
import { makeManagementNic, makeRootDiskController } from './testing/host-roles';
import { fileURLToPath } from 'node:url';
import { cpSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
    // Every root port, as its captured config space says: qemu's pcie-root-port offers SV TB RR CR UF DT
    // (0x5f) and Linux enables SV RR CR UF (0x1d): they isolate, so each NIC and each VF has a group of its own.
    for (const p of ports.filter((x) => x.acs?.portType === 'root-port')) {
      expect(p.acs, p.address).toEqual({
        configSize: 4096,
        portType: 'root-port',
        multifunction: false,
        present: true,
        capability: 0x5f,
        control: 0x1d,
        isolates: true,
        missing: [],
      });
    }
    expect(ports.filter((x) => x.acs?.portType === 'root-port')).toHaveLength(5);
    // The one shared group is the q35 chipset's conventional multifunction device.
    const shared = scan.groups.filter((g) => g.passthrough.state === 'shared');
    expect(shared.map((g) => g.passthrough.joinedBy)).toEqual([
      [
        '0000:00:1f.2 and 0000:00:1f.3 are functions of one conventional PCI device (slot 0000:00:1f), which cannot isolate its functions from each other (ACS does not exist on conventional PCI).',
      ],
    ]);
    // Before: the kernel's viable said 36 of 42 groups were not usable, the VFs among them.
    expect(scan.groups.filter((g) => !g.viable)).toHaveLength(36);
  });

  it('shared-group: the two NICs behind the PCI bridge are shared, the bridge named as a bridge to conventional PCI', async () => {
    const scan = await scanOf(fixture('shared-group'));
    const g = scan.groups.find((x) => x.devices.includes('0000:02:01.0'))!;
    expect(g.passthrough).toMatchObject({ state: 'shared', members: ['0000:02:01.0', '0000:02:02.0'] });
    expect(g.passthrough.reasons.join(' ')).toMatch(/0000:02:01\.0 \(e1000\) and 0000:02:02\.0 \(8139cp\).*Bridges in the group \(0000:01:00\.0\) stay with the host/);
    // What the captured config space says: qemu's pcie-pci-bridge is a PCIe-to-PCI bridge, the NICs conventional PCI.
    const acsOf = (a: string) => scan.devices.find((d) => d.address === a)?.acs;
    expect(acsOf('0000:01:00.0')).toMatchObject({ configSize: 4096, portType: 'pcie-to-pci-bridge', present: false, isolates: false });
    expect(acsOf('0000:02:01.0')).toMatchObject({ configSize: 256, portType: 'conventional', present: false, isolates: false });
    // Its root port has ACS enabled, so the bridge, not the port, is what joins them.
    expect(acsOf('0000:00:02.0')).toMatchObject({ portType: 'root-port', present: true, isolates: true, missing: [] });
    expect(g.passthrough.joinedBy).toEqual([
      '0000:02:01.0 and 0000:02:02.0 sit behind 0000:01:00.0 (PCI bridge), a bridge to conventional PCI, which cannot isolate what is behind it: devices on a conventional PCI bus can reach each other and the IOMMU sees them as the bridge (a PCIe-to-PCI bridge has no ACS, per its config space).',
    ]);
    expect(g.passthrough.options.join(' ')).toMatch(/whole group.*another slot.*ACS setting in the firmware.*pcie_acs_override=/);
  });

  it('shared-group as a user other than root reads it (64 bytes of config): the bridge named, its ACS said to be unknown', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'passthru-nonroot-'));
    try {
      cpSync(fixture('shared-group'), root, { recursive: true, verbatimSymlinks: true });
      // Every function's config file (found without following links: sysfs is full of loops).
      const configs: string[] = [];
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(dir, e.name));
          else if (e.isFile() && e.name === 'config') configs.push(path.join(dir, e.name));
        }
      };
      walk(`${root}/sys/devices`);
      expect(configs.length).toBeGreaterThan(10);
      for (const c of configs) truncateSync(c, 64);
      const scan = await scanOf(root);
      expect(scan.devices.every((d) => d.acs?.isolates === null)).toBe(true);
      const g = scan.groups.find((x) => x.devices.includes('0000:02:01.0'))!;
      expect(g.passthrough.state).toBe('shared');
      expect(g.passthrough.joinedBy).toEqual([
        "0000:02:01.0 and 0000:02:02.0 sit behind 0000:01:00.0 (PCI bridge); Passthru could not read 0000:01:00.0's ACS capability: config space beyond the first 64 bytes needs root (running Passthru as root, or a snapshot captured as root, would tell). Without ACS enabled there, a bridge does not keep the devices below it apart.",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
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
    expect(pch.passthrough.joinedBy).toEqual([
      '0000:00:1f.2 and 0000:00:1f.3 are functions of one conventional PCI device (slot 0000:00:1f), which cannot isolate its functions from each other (ACS does not exist on conventional PCI).',
    ]);
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
