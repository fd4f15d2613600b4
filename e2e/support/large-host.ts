/**
 * A synthetic big host for the GUI's scale checks: 250 root ports, each with an Intel 82576
 * PF and its 7 VFs enabled, every function in its own IOMMU group — 2,250 functions, laid out
 * by the same fake-sysfs builder the unit tests use.
 */
import { buildFakeHost, labHostSpec, makeTempRoot, type FakePciFunction } from '../../electron/host/testing/fake-sysfs';

export const LARGE_HOST_PORTS = 250;
export const LARGE_HOST_FUNCTIONS = LARGE_HOST_PORTS * 9;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function buildLargeHost(): string {
  const devices: FakePciFunction[] = [];
  let group = 0;
  for (let port = 0; port < LARGE_HOST_PORTS; port++) {
    const bus = hex(port + 1, 2);
    const rootPort = `0000:00:${hex(Math.floor(port / 8), 2)}.${port % 8}`;
    devices.push({ address: rootPort, vendor: '1b36', device: '000c', classId: '060400', driver: 'pcieport', iommuGroup: group++ });
    const vfs = Array.from({ length: 7 }, (_, i) => `0000:${bus}:1${Math.floor((i * 2) / 8)}.${(i * 2) % 8}`);
    devices.push({
      address: `0000:${bus}:00.0`, vendor: '8086', device: '10c9', subsystemVendor: '8086', subsystemDevice: 'a03c',
      classId: '020000', driver: 'igb', iommuGroup: group++, parent: rootPort, sriov: { totalVfs: 7, vfs },
    });
    for (const vf of vfs) {
      devices.push({
        address: vf, vendor: '8086', device: '10ca', subsystemVendor: '8086', subsystemDevice: 'a03c',
        classId: '020000', driver: 'igbvf', iommuGroup: group++, parent: rootPort, resetMethod: 'flr',
      });
    }
  }
  const base = labHostSpec();
  return buildFakeHost({ ...base, devices }, makeTempRoot('passthru-large-host-'));
}
