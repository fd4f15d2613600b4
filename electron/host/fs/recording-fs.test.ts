import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostInfo, IommuGroup, PciDevice } from '#shared/model';
import { probeHostInfo } from '../probes/host-info';
import { probeIommuGroups } from '../probes/iommu-groups';
import { probePciDevices } from '../probes/pci-devices';
import { buildFakeHost, labHostSpec, makeTempRoot, TreeWriter } from '../testing/fake-sysfs';
import type { HostFs } from './host-fs';
import { RecordingFs } from './recording-fs';
import { RootFs } from './root-fs';
import { ConfinedFs } from '../exec/confined-fs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = makeTempRoot('passthru-rec-');
  dirs.push(d);
  return d;
}

/** Removes empty directories bottom-up, as a git checkout would lack them. */
function dropEmptyDirs(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const p = `${dir}/${name}`;
    if (fs.lstatSync(p).isDirectory()) dropEmptyDirs(p);
  }
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

interface Probed {
  host: HostInfo;
  devices: PciDevice[];
  groups: IommuGroup[];
}
function probeAll(hostFs: HostFs): Probed {
  const devices = probePciDevices(hostFs);
  return { host: probeHostInfo(hostFs), devices, groups: probeIommuGroups(hostFs, devices) };
}

/** Records a scan of `source`, writes it out, and returns both scans. */
function roundTrip(source: string): { original: Probed; replayed: Probed; dest: string; recorder: RecordingFs } {
  const recorder = new RecordingFs(new RootFs(source));
  const original = probeAll(recorder);
  const dest = tempDir();
  recorder.writeTo(new ConfinedFs(dest));
  return { original, replayed: probeAll(new RootFs(dest)), dest, recorder };
}

describe('RecordingFs', () => {
  it('replays a scan of the fake lab host identically', () => {
    const source = buildFakeHost(labHostSpec());
    dirs.push(source);
    const { original, replayed, dest, recorder } = roundTrip(source);
    expect(replayed).toEqual(original);
    expect(original.devices).toHaveLength(15);
    // Kernel links stay relative symlinks.
    expect(fs.readlinkSync(`${dest}/sys/bus/pci/devices/0000:01:00.0`)).toBe('../../../devices/pci0000:00/0000:00:02.0/0000:01:00.0');
    expect(fs.lstatSync(`${dest}/lib`).isSymbolicLink()).toBe(true);
    // Only what was read is captured: config space (read as bytes, kept byte for byte), not the other attributes.
    const config = '/sys/devices/pci0000:00/0000:00:02.0/config';
    expect(fs.readFileSync(`${dest}${config}`)).toEqual(fs.readFileSync(`${source}${config}`));
    expect(fs.existsSync(`${dest}/sys/devices/pci0000:00/0000:00:02.0/modalias`)).toBe(false); // uevent has it
    expect(recorder.recordedFiles()).toContain('/proc/cpuinfo');
    expect(recorder.recordedFiles()).toContain('/usr/share/misc/pci.ids');
    // A git checkout of the snapshot (empty directories dropped) still scans the same.
    dropEmptyDirs(dest);
    expect(probeAll(new RootFs(dest))).toEqual(original);
  });

  it('answers every kind of read identically after writeTo', () => {
    const source = tempDir();
    const w = new TreeWriter(source);
    w.file('/a/real/file', 'content\n');
    w.file('/a/real/other', 'unread\n');
    w.dir('/a/real/sub');
    w.link('/a/real/dangling', '../nowhere');
    w.link('/b', 'a/real');
    w.link('/c', '/b'); // absolute, resolved inside the root
    w.link('/a/real/chain', '../../c/file');
    w.file('/dev/kvm', '');
    const rec = new RecordingFs(new RootFs(source));
    const calls: Array<[keyof HostFs, string]> = [
      ['readText', '/c/file'],
      ['readText', '/a/real/chain'],
      ['readText', '/missing'],
      ['readLink', '/c'],
      ['readLink', '/b/chain'],
      ['realPath', '/c/chain'],
      ['list', '/b'],
      ['list', '/missing'],
      ['exists', '/dev/kvm'],
      ['exists', '/b/sub'],
      ['exists', '/nope'],
      ['isDirectory', '/c/sub'],
      ['isDirectory', '/c/file'],
    ];
    const call = (f: HostFs, [m, p]: [keyof HostFs, string]) => (f[m] as (p: string) => unknown).call(f, p);
    const before = calls.map((c) => call(rec, c));
    const dest = tempDir();
    rec.writeTo(new ConfinedFs(dest));
    const replay = new RootFs(dest);
    expect(calls.map((c) => call(replay, c))).toEqual(before);
    expect(fs.readlinkSync(`${dest}/c`)).toBe('/b');
    expect(fs.readlinkSync(`${dest}/a/real/dangling`)).toBe('../nowhere'); // listed: kept as a link
    expect(fs.readFileSync(`${dest}/a/real/other`, 'utf8')).toBe(''); // listed, never read
  });

  it('keeps existence-only empty directories alive through git (which drops empty ones)', () => {
    const source = tempDir();
    const w = new TreeWriter(source);
    w.dir('/sys/module/vfio');
    w.dir('/sys/class/iommu');
    const rec = new RecordingFs(new RootFs(source));
    expect(rec.exists('/sys/module/vfio')).toBe(true);
    expect(rec.list('/sys/class/iommu')).toEqual([]);
    const dest = tempDir();
    rec.writeTo(new ConfinedFs(dest));
    expect(fs.readdirSync(`${dest}/sys/module/vfio`)).toEqual(['.passthru-keep']);
    expect(fs.readdirSync(`${dest}/sys/class/iommu`)).toEqual([]);
    fs.rmdirSync(`${dest}/sys/class/iommu`); // what a git checkout does
    const replay = new RootFs(dest);
    expect(replay.exists('/sys/module/vfio')).toBe(true);
    expect(replay.list('/sys/class/iommu')).toEqual([]);
  });

  it('applies the transform to file contents at their canonical path', () => {
    const source = tempDir();
    const w = new TreeWriter(source);
    w.file('/usr/share/misc/pci.ids', 'big\n');
    w.link('/usr/share/hwdata/pci.ids', '../misc/pci.ids');
    const rec = new RecordingFs(new RootFs(source));
    rec.readText('/usr/share/hwdata/pci.ids');
    const seen: string[] = [];
    const dest = tempDir();
    rec.writeTo(new ConfinedFs(dest), (p, c) => {
      seen.push(p);
      return c.toUpperCase();
    });
    expect(seen).toEqual(['/usr/share/misc/pci.ids']);
    expect(new RootFs(dest).readText('/usr/share/hwdata/pci.ids')).toBe('BIG\n');
  });

  it('replays a scan of this live host identically (bar /dev/kvm access, unknowable in a snapshot)', () => {
    const { original, replayed } = roundTrip('/');
    expect(original.devices.length).toBeGreaterThan(0);
    expect(replayed.host.kvmAccessible).toBeNull();
    expect({ ...replayed, host: { ...replayed.host, kvmAccessible: original.host.kvmAccessible } }).toEqual(original);
  });
});
