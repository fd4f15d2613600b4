import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { RecordingFs } from './fs/recording-fs';
import { RootFs } from './fs/root-fs';
import { probeHostInfo } from './probes/host-info';
import { probeIommuGroups } from './probes/iommu-groups';
import { probePciDevices } from './probes/pci-devices';
import { assessReadiness } from './readiness';
import { reduceForSnapshot, reducePciIds, reduceToVfio } from './snapshot-reducers';
import { debianKernelRelease } from './testing/debian-kernel';
import { buildFakeHost, labHostSpec, makeTempRoot } from './testing/fake-sysfs';
import { ConfinedFs } from './exec/confined-fs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const KERNEL = debianKernelRelease();
const DEBIAN = `/lib/modules/${KERNEL}`;

function scanOf(hostFs: RootFs | RecordingFs): HostScan {
  const host = probeHostInfo(hostFs);
  const devices = probePciDevices(hostFs);
  const groups = probeIommuGroups(hostFs, devices);
  return {
    schemaVersion: 1,
    source: { kind: 'live', root: hostFs.root, capturedAt: null, hostname: null },
    host,
    devices,
    groups,
    interfaces: [],
    readiness: assessReadiness(host, devices, groups),
  };
}

/** The lab host with the real system pci.ids and the Debian kernel's module lists. */
function realisticLabHost(): string {
  const spec = labHostSpec();
  spec.kernel = KERNEL;
  spec.pciIds = fs.readFileSync('/usr/share/misc/pci.ids', 'utf8');
  spec.moduleFiles = Object.fromEntries(['modules.alias', 'modules.dep', 'modules.builtin'].map((f) => [f, fs.readFileSync(`${DEBIAN}/${f}`, 'utf8')]));
  spec.cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const root = buildFakeHost(spec);
  dirs.push(root);
  return root;
}

describe('reduceForSnapshot', () => {
  it('shrinks pci.ids, modules.* and cpuinfo, and re-scanning gives the identical result', () => {
    const source = realisticLabHost();
    const recorder = new RecordingFs(new RootFs(source));
    const scan = scanOf(recorder);
    expect(scan.devices.find((d) => d.address === '0000:01:00.0')?.modules).toEqual(['igb']);
    expect(scan.devices.find((d) => d.address === '0000:01:10.0')?.modules).toEqual(['igbvf']);
    const dest = makeTempRoot('passthru-reduce-');
    dirs.push(dest);
    recorder.writeTo(new ConfinedFs(dest), (p, c) => reduceForSnapshot(p, c, scan));
    const replay = scanOf(new RootFs(dest));
    expect({ ...replay, source: scan.source }).toEqual(scan);
    const size = (p: string) => fs.statSync(`${dest}${p}`).size;
    expect(size('/usr/share/misc/pci.ids')).toBeLessThan(4_000);
    expect(size(`/usr/lib/modules/${KERNEL}/modules.alias`)).toBeLessThan(4_000);
    expect(size(`/usr/lib/modules/${KERNEL}/modules.dep`)).toBeLessThan(2_000);
    expect(fs.readFileSync(`${dest}/proc/cpuinfo`, 'utf8')).not.toMatch(/processor\s*:\s*1/);
  });

  it('keeps the pci.ids lines of the devices only, in order', () => {
    const text = [
      '8086  Intel Corporation',
      '\t10c9  82576',
      '\t\t8086 a03c  ET Dual',
      '\t\t103c 31ef  NC362i',
      '\t10ca  82576 VF',
      '10de  NVIDIA',
      '\t1b80  GP104',
      'C 02  Network controller',
      '\t00  Ethernet controller',
      '\t80  Network controller',
      '\t\t00  prog',
      'C 03  Display controller',
    ].join('\n');
    const devices = [{ vendorId: '8086', deviceId: '10c9', subsystemVendorId: '8086', subsystemDeviceId: 'a03c', classId: '020000' }];
    expect(
      reducePciIds(text, devices as never)
        .split('\n')
        .slice(1),
    ).toEqual(['8086  Intel Corporation', '\t10c9  82576', '\t\t8086 a03c  ET Dual', 'C 02  Network controller', '\t00  Ethernet controller', '']);
  });

  it('keeps only VFIO entries of modules.dep and passes other files through', () => {
    expect(reduceToVfio('kernel/a/igb.ko:\nkernel/drivers/vfio/vfio.ko:\nkernel/x/kvmgt.ko: kernel/drivers/vfio/vfio.ko\n')).toBe('kernel/drivers/vfio/vfio.ko:\n');
    const scan = { devices: [] } as unknown as HostScan;
    expect(reduceForSnapshot('/proc/cmdline', 'quiet\n', scan)).toBe('quiet\n');
    expect(reduceForSnapshot('/sys/bus/pci/devices/0000:00:00.0/uevent', 'X=1\n', scan)).toBe('X=1\n');
  });
});
