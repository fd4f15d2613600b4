/**
 * What the host cannot give up without losing itself: the PCI functions behind a mounted
 * filesystem (block devices through dm/md slaves and partitions, and 9p transports) and the
 * display in use (the boot VGA device with a driver, or a card with a connected screen). The
 * management NIC is the network probe's (interfaces carry `management`). Read through HostFs,
 * so a snapshot or a fake tree answers like the live host.
 */
import type { HostNeed, PciDevice } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { PCI_ADDRESS } from '#shared/pci-address';

/** The nearest PCI function on a canonical /sys/devices path (last address-shaped segment). */
export function nearestPciAncestor(sysPath: string | null): string | null {
  if (!sysPath) return null;
  const segs = sysPath.split('/').filter((s) => PCI_ADDRESS.test(s));
  return segs.length ? (segs[segs.length - 1] as string) : null;
}

/** Mount table entries: source, mountpoint, fstype (octal escapes such as \040 decoded). */
export function parseMounts(text: string): { source: string; mountpoint: string; fstype: string }[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0] !== '')
    .map((f) => ({ source: unescape(f[0] as string), mountpoint: unescape(f[1] as string), fstype: f[2] as string }));
}

/** Block device name for a mount source: /dev/sda1 → sda1, /dev/mapper/x → dm-N. */
function blockName(fs: HostFs, source: string): string | null {
  if (!source.startsWith('/dev/')) return null;
  const real = fs.realPath(source);
  if (real && real.startsWith('/dev/') && !real.startsWith('/dev/mapper/')) return real.slice(5).replace(/\//g, '!');
  if (source.startsWith('/dev/mapper/')) {
    const want = source.slice('/dev/mapper/'.length);
    for (const n of fs.list('/sys/class/block')) {
      if (n.startsWith('dm-') && fs.readText(`/sys/class/block/${n}/dm/name`)?.trim() === want) return n;
    }
    return null;
  }
  return source.slice(5).replace(/\//g, '!');
}

/** PCI functions under a block device: through dm/md slaves and from a partition to its disk. */
function blockToPci(fs: HostFs, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const base = `/sys/class/block/${name}`;
  const slaves = fs.list(`${base}/slaves`);
  if (slaves.length) return slaves.flatMap((s) => blockToPci(fs, s, seen));
  const real = fs.realPath(base);
  // A partition's canonical path sits under its disk; the nearest PCI ancestor is the same.
  const pci = nearestPciAncestor(real);
  return pci ? [pci] : [];
}

/** 9p mounts: the tag names a virtio device whose PCI parent is the transport. */
function ninePToPci(fs: HostFs, tag: string): string[] {
  const out: string[] = [];
  for (const v of fs.list('/sys/bus/virtio/devices')) {
    const t = fs.readText(`/sys/bus/virtio/devices/${v}/mount_tag`);
    if (t !== null && t.replace(/\0/g, '').trim() === tag) {
      const pci = nearestPciAncestor(fs.realPath(`/sys/bus/virtio/devices/${v}`));
      if (pci) out.push(pci);
    }
  }
  return out;
}

export function mountedControllers(fs: HostFs): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const text = fs.readText('/proc/self/mounts') ?? fs.readText('/proc/mounts');
  if (!text) return map;
  for (const m of parseMounts(text)) {
    let pcis: string[] = [];
    if (m.fstype === '9p') pcis = ninePToPci(fs, m.source);
    else {
      const name = blockName(fs, m.source);
      if (name) pcis = blockToPci(fs, name);
    }
    for (const p of new Set(pcis)) {
      const list = map.get(p) ?? [];
      if (!list.includes(m.mountpoint)) list.push(m.mountpoint);
      map.set(p, list);
    }
  }
  return map;
}

export function displays(fs: HostFs, devices: readonly PciDevice[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const d of devices) {
    if (!d.classId.startsWith('03') || !d.driver) continue;
    if (fs.readText(`/sys/bus/pci/devices/${d.address}/boot_vga`)?.trim() === '1') {
      map.set(d.address, `it is the boot display (boot_vga) and ${d.driver} drives it`);
    }
  }
  const entries = fs.list('/sys/class/drm');
  for (const card of entries.filter((e) => /^card\d+$/.test(e))) {
    const connected = entries.filter((e) => e.startsWith(`${card}-`) && fs.readText(`/sys/class/drm/${e}/status`)?.trim() === 'connected');
    if (!connected.length) continue;
    const addr = nearestPciAncestor(fs.realPath(`/sys/class/drm/${card}/device`));
    if (addr && !map.has(addr)) map.set(addr, `a screen is connected to it (${connected.map((c) => c.slice(card.length + 1)).join(', ')})`);
  }
  return map;
}

/**
 * Per PCI function, why the host needs it (empty when it does not): its mounted filesystems
 * and whether it drives the display in use. The management NIC is added by the scan from the
 * interfaces.
 */
export function probeHostNeeds(fs: HostFs, devices: readonly PciDevice[]): Map<string, HostNeed[]> {
  const needs = new Map<string, HostNeed[]>();
  const add = (address: string, need: HostNeed): void => {
    needs.set(address, [...(needs.get(address) ?? []), need]);
  };
  for (const [address, mountpoints] of mountedControllers(fs)) {
    add(address, { kind: 'mounted-disk', detail: `it holds the filesystem mounted at ${mountpoints.join(', ')}` });
  }
  for (const [address, why] of displays(fs, devices)) add(address, { kind: 'display', detail: why });
  return needs;
}
