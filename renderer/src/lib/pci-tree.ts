/**
 * The PCI hierarchy as a tree: root bus → bridges (via each device's `parent`) → functions.
 * Shared by the topology picture and its text alternative so both show the same structure.
 */
import type { PciDevice } from '#shared/model';
import { compareAddress, compareText } from './device-sort';

export interface PciTreeNode {
  device: PciDevice;
  children: PciTreeNode[];
}

export interface PciRoot {
  /** e.g. `pci0000:00`. */
  rootBus: string;
  children: PciTreeNode[];
}

/**
 * Devices whose parent is absent from the list (a partial snapshot) hang off their root
 * bus rather than disappearing; a parent cycle (corrupt data) is broken the same way.
 */
export function buildPciTree(devices: readonly PciDevice[]): PciRoot[] {
  const present = new Set(devices.map((d) => d.address));
  const byParent = new Map<string, PciDevice[]>();
  const rootChildren = new Map<string, PciDevice[]>();
  for (const d of devices) {
    const parent = d.parent !== null && present.has(d.parent) && d.parent !== d.address ? d.parent : null;
    const map = parent === null ? rootChildren : byParent;
    const key = parent ?? d.rootBus;
    const list = map.get(key) ?? [];
    list.push(d);
    map.set(key, list);
  }
  const placed = new Set<string>();
  const build = (d: PciDevice): PciTreeNode => {
    placed.add(d.address);
    const kids = (byParent.get(d.address) ?? []).filter((k) => !placed.has(k.address));
    return { device: d, children: sortDevicesForTree(kids).map(build) };
  };
  const roots: PciRoot[] = [...rootChildren.keys()].sort(compareText).map((rootBus) => ({ rootBus, children: sortDevicesForTree(rootChildren.get(rootBus) ?? []).map(build) }));
  // Anything unreached sits in a parent cycle: attach it to its root bus.
  for (const d of devices) {
    if (placed.has(d.address)) continue;
    let root = roots.find((r) => r.rootBus === d.rootBus);
    if (!root) {
      root = { rootBus: d.rootBus, children: [] };
      roots.push(root);
    }
    root.children.push(build(d));
  }
  return roots;
}

function sortDevicesForTree(list: PciDevice[]): PciDevice[] {
  return [...list].sort((a, b) => compareAddress(a.address, b.address));
}

/** Number of functions in a subtree list, for summaries. */
export function countNodes(nodes: readonly PciTreeNode[]): number {
  return nodes.reduce((n, c) => n + 1 + countNodes(c.children), 0);
}
