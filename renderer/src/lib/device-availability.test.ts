import { describe, expect, it } from 'vitest';
import type { HostScan, PciDevice } from '#shared/model';
import { sampleScan } from '../testing/sample-scan';
import { carriesManagement, deviceAvailability } from './device-availability';
import { indexScan } from './scan-index';

const withDevices = (scan: HostScan, edit: (d: PciDevice) => PciDevice): HostScan => ({ ...scan, devices: scan.devices.map(edit) });
const of = (scan: HostScan, address: string) =>
  deviceAvailability(
    scan.devices.find((d) => d.address === address)!,
    indexScan(scan),
  );

describe('deviceAvailability', () => {
  it('bridges, devices with no IOMMU group and groups holding a mounted disk cannot be assigned, and say why', () => {
    expect(of(sampleScan, '0000:00:01.0')).toEqual({ action: 'assign', refusedBecause: expect.stringMatching(/^Bridges and ports stay with the host/) });
    const noGroup = withDevices(sampleScan, (d) => ({ ...d, iommuGroup: null }));
    expect(of(noGroup, '0000:01:00.0').refusedBecause).toMatch(/The IOMMU is off/);
    const disk = withDevices(sampleScan, (d) =>
      d.address === '0000:00:17.0' ? { ...d, hostNeeds: [{ kind: 'mounted-disk', detail: 'it holds the filesystem mounted at /' }] } : d,
    );
    const sataGroup = disk.devices.find((d) => d.address === '0000:00:17.0')!.iommuGroup;
    const neighbour = disk.devices.find((d) => d.iommuGroup === sataGroup && d.address !== '0000:00:17.0' && !d.isBridge);
    expect(of(disk, '0000:00:17.0').refusedBecause).toBe('This host needs it: it holds the filesystem mounted at /.');
    if (neighbour) expect(of(disk, neighbour.address).refusedBecause).toMatch(/Its IOMMU group holds 0000:00:17\.0, which this host needs/);
  });

  it('the management NIC stays available (the wizard asks for the confirmation); a device on vfio-pci is given back unless a VM holds it', () => {
    expect(of(sampleScan, '0000:00:1f.6')).toEqual({ action: 'assign', refusedBecause: null });
    expect(
      carriesManagement(
        sampleScan.devices.find((d) => d.address === '0000:00:1f.6')!,
        indexScan(sampleScan),
      ),
    ).toBe(true);
    const onVfio = sampleScan.devices.find((d) => d.driver === 'vfio-pci')!;
    expect(of(sampleScan, onVfio.address).action).toBe('release');
    const held: HostScan = {
      ...sampleScan,
      groups: sampleScan.groups.map((g) => (g.id === onVfio.iommuGroup ? { ...g, openBy: [{ pid: 4242, command: 'qemu-system-x86' }] } : g)),
    };
    expect(of(held, onVfio.address).refusedBecause).toMatch(/qemu-system-x86 \(pid 4242\) holds \/dev\/vfio\/\d+\. Stop the VM first\./);
  });
});
