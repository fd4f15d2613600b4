/**
 * The committed snapshot of the development VM (e2e/fixtures/this-machine, captured with
 * `passthru snapshot`): a Firecracker guest with six PCI functions (a host bridge and five
 * virtio devices), no IOMMU, and eth0 (virtio-net) carrying the default routes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFs } from './fs/root-fs';
import { scanHost } from './scan';
import { checkScanContract } from './scan-contract';
import { makeTempRoot } from './testing/network-test-tree';

const FIXTURE = fileURLToPath(new URL('../../e2e/fixtures/this-machine', import.meta.url));
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Removes empty directories bottom-up, as a git checkout of the fixture would lack them. */
function dropEmptyDirs(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) dropEmptyDirs(p);
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

describe('the this-machine fixture', () => {
  it('is a snapshot that conforms to the contract', async () => {
    const scan = await scanHost(new RootFs(FIXTURE));
    expect(checkScanContract(scan)).toEqual([]);
    expect(scan.source).toMatchObject({ kind: 'snapshot', root: FIXTURE, hostname: 'vm' });
    expect(scan.source.capturedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(scan.host.kernel).toBe('6.18.44-fc-v669');
  });

  it('has the six PCI functions, virtio on virtio-pci, named from pci.ids', async () => {
    const scan = await scanHost(new RootFs(FIXTURE));
    expect(scan.devices.map((d) => `${d.address} ${d.vendorId}:${d.deviceId} ${d.driver ?? '-'}`)).toEqual([
      '0000:00:00.0 8086:0d57 -',
      '0000:00:01.0 1af4:1045 virtio-pci',
      '0000:00:02.0 1af4:1042 virtio-pci',
      '0000:00:03.0 1af4:1041 virtio-pci',
      '0000:00:04.0 1af4:1053 virtio-pci',
      '0000:00:05.0 1af4:1044 virtio-pci',
    ]);
    const nic = scan.devices.find((d) => d.address === '0000:00:03.0');
    expect(nic).toMatchObject({
      vendorName: 'Red Hat, Inc.',
      deviceName: 'Virtio 1.0 network device',
      className: 'Ethernet controller',
      classId: '020000',
      interfaces: ['eth0'],
      iommuGroup: null,
    });
  });

  it('has no IOMMU: no groups, and the readiness check says so', async () => {
    const scan = await scanHost(new RootFs(FIXTURE));
    expect(scan.host.iommu).toMatchObject({ enabled: false, groupCount: 0, units: [] });
    expect(scan.groups).toEqual([]);
    expect(scan.readiness.find((c) => c.id === 'iommu-enabled')?.status).toBe('fail');
  });

  it('has eth0 (virtio-net on 0000:00:03.0) as the management interface', async () => {
    const scan = await scanHost(new RootFs(FIXTURE));
    expect(scan.interfaces.map((i) => i.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    const eth0 = scan.interfaces.find((i) => i.name === 'eth0');
    expect(eth0).toMatchObject({
      device: '0000:00:03.0',
      driver: 'virtio_net',
      kind: 'physical',
      mtu: 1400,
      defaultRoute: { ipv4: true, ipv6: true },
      management: true,
      inUse: true,
    });
    expect(eth0?.addresses).toContainEqual({ family: 'ipv4', address: '192.0.2.2', prefixLength: 24, scope: 'global' });
    expect(scan.interfaces.filter((i) => i.management).map((i) => i.name)).toEqual(['eth0']);
    expect(scan.interfaces.find((i) => i.name === 'ifb0')).toMatchObject({ kind: 'virtual', inUse: false, device: null });
  });

  it('scans the same from a git checkout, which drops empty directories', async () => {
    const copy = makeTempRoot('passthru-fixture-copy-');
    temps.push(copy);
    cpSync(FIXTURE, copy, { recursive: true, verbatimSymlinks: true });
    dropEmptyDirs(copy);
    const a = await scanHost(new RootFs(FIXTURE));
    const b = await scanHost(new RootFs(copy));
    expect({ ...b, source: { ...b.source, root: '' } }).toEqual({ ...a, source: { ...a.source, root: '' } });
  });
});
