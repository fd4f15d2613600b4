import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { buildFakeHost, labHostSpec } from '../testing/fake-sysfs';
import { nearestPciAncestor, parseMounts } from '../probes/host-needs';
import { gatherHostFacts } from './host-facts';

/** Writes a file / symlink inside a fake root. */
function put(root: string, p: string, content: string): void {
  fs.mkdirSync(path.dirname(root + p), { recursive: true });
  fs.writeFileSync(root + p, content);
}
function link(root: string, p: string, target: string): void {
  fs.mkdirSync(path.dirname(root + p), { recursive: true });
  fs.symlinkSync(target, root + p);
}

async function factsFor(root: string) {
  const rfs = new RootFs(root);
  return gatherHostFacts(rfs, await scanHost(rfs));
}

describe('host facts', () => {
  it('parses mounts and finds the nearest PCI ancestor', () => {
    expect(parseMounts('/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n')).toEqual([{ source: '/dev/sda1', mountpoint: '/mnt/my disk', fstype: 'ext4' }]);
    expect(nearestPciAncestor('/sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0/nvme/nvme0/nvme0n1')).toBe('0000:01:00.0');
    expect(nearestPciAncestor('/sys/devices/virtual/block/dm-0')).toBeNull();
  });

  it('resolves a partition, a dm device over it and a 9p root to their PCI functions', async () => {
    const root = buildFakeHost(labHostSpec());
    const ata = '/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda';
    fs.mkdirSync(`${root}${ata}/sda1`, { recursive: true });
    fs.mkdirSync(`${root}${ata}/sda2`, { recursive: true });
    link(root, '/sys/class/block/sda1', `../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1`);
    link(root, '/sys/class/block/sda2', `../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2`);
    fs.mkdirSync(`${root}/sys/devices/virtual/block/dm-0/slaves`, { recursive: true });
    put(root, '/sys/devices/virtual/block/dm-0/dm/name', 'vg-home\n');
    link(root, '/sys/devices/virtual/block/dm-0/slaves/sda2', '../../../../pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2');
    link(root, '/sys/class/block/dm-0', '../../devices/virtual/block/dm-0');
    fs.mkdirSync(`${root}/sys/devices/pci0000:00/0000:00:04.0/virtio3`, { recursive: true });
    put(root, '/sys/devices/pci0000:00/0000:00:04.0/virtio3/mount_tag', 'rootfs\0');
    link(root, '/sys/bus/virtio/devices/virtio3', '../../../devices/pci0000:00/0000:00:04.0/virtio3');
    put(root, '/proc/self/mounts', 'rootfs / 9p rw,trans=virtio 0 0\n/dev/sda1 /boot ext4 rw 0 0\n/dev/mapper/vg-home /home ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n');
    const facts = await factsFor(root);
    expect(facts.mountedDiskControllers.get('0000:00:1f.2')).toBe('it holds the filesystem mounted at /boot, /home');
    expect(facts.mountedDiskControllers.get('0000:00:04.0')).toBe('it holds the filesystem mounted at /');
    // The scan carries the same, for every view.
    expect(facts.scan.devices.find((d) => d.address === '0000:00:1f.2')?.hostNeeds).toEqual([{ kind: 'mounted-disk', detail: 'it holds the filesystem mounted at /boot, /home' }]);
    expect(facts.mountedDiskControllers.size).toBe(2);
  });

  it('finds the boot VGA and DRM cards with a connected screen; vfio-pci loaded; persisted rules', async () => {
    const spec = labHostSpec();
    const root = buildFakeHost(spec);
    fs.mkdirSync(`${root}/sys/devices/pci0000:00/0000:00:05.0/0000:03:00.0/drm/card1`, { recursive: true });
    link(root, '/sys/class/drm/card1', '../../devices/pci0000:00/0000:00:05.0/0000:03:00.0/drm/card1');
    link(root, '/sys/class/drm/card1/device', '../../../0000:03:00.0');
    put(root, '/sys/devices/pci0000:00/0000:00:05.0/0000:03:00.0/drm/card1/card1-DP-1/status', 'connected\n');
    link(root, '/sys/class/drm/card1-DP-1', '../../devices/pci0000:00/0000:00:05.0/0000:03:00.0/drm/card1/card1-DP-1');
    put(root, '/etc/udev/rules.d/90-passthru-0000:02:00.0.rules', 'x');
    const facts = await factsFor(root);
    expect(facts.displaysInUse.get('0000:00:01.0')).toMatch(/boot display/);
    expect(facts.displaysInUse.get('0000:03:00.0')).toMatch(/DP-1/);
    expect(facts.vfioPci).toBe('loaded');
    expect([...facts.persisted]).toEqual(['0000:02:00.0']);
  });

  it('vfio-pci loadable on the seed fixture, missing when neither loaded nor listed', async () => {
    expect((await factsFor(`${__dirname}/../../../e2e/fixtures/seed`)).vfioPci).toBe('loadable');
    const spec = labHostSpec();
    spec.loadedModules = ['igb'];
    spec.moduleFiles = { 'modules.dep': '', 'modules.builtin': '' };
    spec.devices = spec.devices.map((d) => (d.driver === 'vfio-pci' ? { ...d, driver: null } : d));
    expect((await factsFor(buildFakeHost(spec))).vfioPci).toBe('missing');
  });
});
