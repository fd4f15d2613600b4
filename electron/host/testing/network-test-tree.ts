/**
 * Test-only builders of fake host trees, laid out as the kernel lays out sysfs (class links
 * into /sys/devices, relative `device`/`driver`/`master` links), so probes read them through
 * the real RootFs exactly as they read a live host or a snapshot.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

/** A file's content, or a symlink (`{ link: target }` as the kernel writes it), or an empty dir. */
export type TreeEntry = string | { link: string } | { dir: true };
export type Tree = Record<string, TreeEntry>;

/** Writes `tree` (paths absolute inside the root) under `root`. */
export function writeTree(root: string, tree: Tree): void {
  for (const [path, entry] of Object.entries(tree)) {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    if (typeof entry === 'string') writeFileSync(host, entry);
    else if ('link' in entry) symlinkSync(entry.link, host);
    else mkdirSync(host, { recursive: true });
  }
}

export function makeTempRoot(prefix = 'passthru-tree-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FakeIface {
  ifindex: number;
  mac?: string;
  operstate?: string;
  /** Omitted: reading `speed` fails (EINVAL), as for virtual or down links. */
  speed?: number;
  mtu?: number;
  type?: number;
  /** PCI function (`0000:03:00.0`) the interface hangs off; omitted for virtual interfaces. */
  pci?: string;
  /** Parent chain under /sys/devices, e.g. `pci0000:00/0000:00:1c.0`; default `pci0000:00`. */
  pciParent?: string;
  /** Extra level between the PCI function and the netdev (virtio-net: `virtio2`). */
  via?: string;
  driver?: string;
  master?: string;
  devtype?: string;
  bridgePorts?: string[];
  bondSlaves?: string[];
  tun?: boolean;
  lowers?: string[];
  /** For a VF: its PF's address and PF interface name. */
  physfn?: { pci: string; iface: string };
}

/** Sysfs entries of one interface (and of its PCI function's netdev link-up). */
export function netIface(name: string, o: FakeIface): Tree {
  const tree: Tree = {};
  const parent = o.pciParent ?? 'pci0000:00';
  const fnDir = o.pci ? `/sys/devices/${parent}/${o.pci}` : null;
  const devDir = fnDir ? (o.via ? `${fnDir}/${o.via}` : fnDir) : null;
  const dir = devDir ? `${devDir}/net/${name}` : `/sys/devices/virtual/net/${name}`;
  const rel = (from: string, to: string): { link: string } => ({ link: posix.relative(from, to) });
  tree[`/sys/class/net/${name}`] = rel('/sys/class/net', dir);
  tree[`${dir}/ifindex`] = `${o.ifindex}\n`;
  tree[`${dir}/iflink`] = `${o.ifindex}\n`;
  tree[`${dir}/type`] = `${o.type ?? 1}\n`;
  tree[`${dir}/address`] = `${o.mac ?? ''}\n`;
  tree[`${dir}/operstate`] = `${o.operstate ?? 'up'}\n`;
  tree[`${dir}/mtu`] = `${o.mtu ?? 1500}\n`;
  if (o.speed !== undefined) tree[`${dir}/speed`] = `${o.speed}\n`;
  tree[`${dir}/uevent`] = `${o.devtype ? `DEVTYPE=${o.devtype}\n` : ''}INTERFACE=${name}\nIFINDEX=${o.ifindex}\n`;
  if (devDir && fnDir) {
    tree[`${dir}/device`] = rel(dir, devDir);
    if (o.driver) tree[`${devDir}/driver`] = rel(devDir, `/sys/bus/${o.via ? 'virtio' : 'pci'}/drivers/${o.driver}`);
    if (o.physfn) {
      tree[`${fnDir}/physfn`] = rel(fnDir, `/sys/devices/${parent}/${o.physfn.pci}`);
      tree[`/sys/devices/${parent}/${o.physfn.pci}/net/${o.physfn.iface}/ifindex`] ??= '99\n';
    }
  }
  if (o.master) tree[`${dir}/master`] = rel(dir, `/sys/class/net/${o.master}`);
  if (o.bridgePorts) {
    tree[`${dir}/bridge/forward_delay`] = '1500\n';
    tree[`${dir}/brif`] = { dir: true };
    for (const p of o.bridgePorts) tree[`${dir}/brif/${p}`] = rel(`${dir}/brif`, `/sys/class/net/${p}/brport`);
  }
  if (o.bondSlaves) {
    tree[`${dir}/bonding/mode`] = 'active-backup 1\n';
    tree[`${dir}/bonding/slaves`] = `${o.bondSlaves.join(' ')}\n`;
  }
  if (o.tun) tree[`${dir}/tun_flags`] = '0x1802\n';
  for (const l of o.lowers ?? []) tree[`${dir}/lower_${l}`] = rel(dir, `/sys/class/net/${l}`);
  return tree;
}
