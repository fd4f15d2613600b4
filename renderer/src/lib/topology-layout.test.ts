import { describe, expect, it } from 'vitest';
import { deriveGroups, makeDevice, makeLargeScan, sampleScan } from '../testing/sample-scan';
import { buildPciTree, countNodes } from './pci-tree';
import { groupColorIndex, layoutTopology, TOPOLOGY_METRICS as M, truncate } from './topology-layout';

describe('PCI tree', () => {
  it('hangs functions under their parent bridge, under the root bus', () => {
    const [root, ...others] = buildPciTree(sampleScan.devices);
    expect(others).toEqual([]);
    expect(root?.rootBus).toBe('pci0000:00');
    expect(countNodes(root!.children)).toBe(sampleScan.devices.length);
    const port = root!.children.find((c) => c.device.address === '0000:00:01.0');
    expect(port?.children.map((c) => c.device.address)).toEqual(['0000:01:00.0', '0000:01:00.1', '0000:01:10.0', '0000:01:10.2']);
  });

  it('keeps devices whose parent is missing or cyclic', () => {
    const devices = [
      makeDevice({ address: '0000:05:00.0', parent: '0000:00:1c.4' }),
      makeDevice({ address: '0000:06:00.0', parent: '0000:07:00.0', rootBus: 'pci0000:40' }),
      makeDevice({ address: '0000:07:00.0', parent: '0000:06:00.0', rootBus: 'pci0000:40' }),
    ];
    const roots = buildPciTree(devices);
    expect(roots.map((r) => r.rootBus)).toEqual(['pci0000:00', 'pci0000:40']);
    expect(roots.reduce((n, r) => n + countNodes(r.children), 0)).toBe(3);
  });
});

describe('topology layout', () => {
  const layout = layoutTopology(sampleScan.devices, sampleScan.groups);

  it('places one row per function plus one per root bus, indented by depth', () => {
    expect(layout.nodes).toHaveLength(sampleScan.devices.length + 1);
    const ys = layout.nodes.map((n) => n.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    expect(byId.get('pci0000:00')?.depth).toBe(0);
    expect(byId.get('0000:00:01.0')?.depth).toBe(1);
    expect(byId.get('0000:01:00.0')?.depth).toBe(2);
    expect(byId.get('0000:01:00.0')!.x - byId.get('0000:00:01.0')!.x).toBe(M.indent);
    expect(layout.height).toBe(M.margin * 2 + layout.nodes.length * M.rowHeight);
  });

  it('draws an edge from each parent to each child', () => {
    expect(layout.edges).toHaveLength(sampleScan.devices.length);
    const e = layout.edges.find((x) => x.to === '0000:01:00.0');
    expect(e?.from).toBe('0000:00:01.0');
    const [start, , end] = e!.points;
    const child = layout.nodes.find((n) => n.id === '0000:01:00.0')!;
    expect(end).toEqual([child.x, child.y + child.height / 2]);
    expect(start![0]).toBeLessThan(child.x);
  });

  it('boxes each group once when its members are consecutive, with its verdict', () => {
    const g1 = layout.boxes.filter((b) => b.groupId === 1);
    expect(g1).toHaveLength(1);
    expect(g1[0]?.members).toEqual(['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']);
    expect(g1[0]?.state).toBe('shared');
    expect(g1[0]?.label).toBe('Group 1 · shared');
    const g7 = layout.boxes.find((b) => b.groupId === 7);
    expect(g7?.label).toBe('Group 7 · ready');
    expect(layout.boxes.find((b) => b.groupId === 9)?.state).toBe('blocked');
    expect(layout.nodes.find((n) => n.id === '0000:00:1f.6')?.needed).toBe(true);
    expect(new Set(layout.boxes.map((b) => b.groupId)).size).toBe(sampleScan.groups.length);
  });

  it('contains every member node inside its box and keeps boxes from overlapping', () => {
    const nodes = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const b of layout.boxes) {
      for (const id of b.members) {
        const n = nodes.get(id)!;
        expect(n.x).toBeGreaterThanOrEqual(b.x);
        expect(n.y).toBeGreaterThanOrEqual(b.y);
        expect(n.y + n.height).toBeLessThanOrEqual(b.y + b.height);
        expect(n.x + n.width).toBeLessThanOrEqual(b.x + b.width);
      }
    }
    const sorted = [...layout.boxes].sort((a, b) => a.y - b.y);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]!.y).toBeGreaterThanOrEqual(sorted[i - 1]!.y + sorted[i - 1]!.height);
    }
    expect(Math.max(...layout.boxes.map((b) => b.x + b.width))).toBeLessThanOrEqual(layout.width);
  });

  it('splits a group interrupted by other rows into numbered parts', () => {
    const devices = [
      makeDevice({ address: '0000:00:01.0', iommuGroup: 1 }),
      makeDevice({ address: '0000:00:02.0', iommuGroup: 2, driver: 'i915' }),
      makeDevice({ address: '0000:00:03.0', iommuGroup: 1, driver: 'ahci' }),
    ];
    const l = layoutTopology(devices, deriveGroups(devices));
    expect(l.boxes.map((b) => b.label)).toEqual(['Group 1 (1/2) · shared', 'Group 2 · assignable', 'Group 1 (2/2) · shared']);
  });

  it('draws no boxes without IOMMU groups', () => {
    const devices = sampleScan.devices.map((d) => ({ ...d, iommuGroup: null }));
    expect(layoutTopology(devices, []).boxes).toEqual([]);
  });

  it('handles a few thousand functions quickly', () => {
    const big = makeLargeScan(2000);
    const t = performance.now();
    const l = layoutTopology(big.devices, big.groups);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(l.nodes.length).toBeGreaterThan(2000);
  });

  it('truncates text and picks stable colours', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdefghijkl', 6)).toBe('abcde…');
    expect(groupColorIndex(13)).toBe(1);
    expect(groupColorIndex(0)).toBe(0);
  });
});
