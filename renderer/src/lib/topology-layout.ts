/**
 * Lays out the PCI tree for the Topology picture as an indented tree (one function per row),
 * which stays readable at a few hundred functions where a fan-out tree would be miles wide.
 * Consecutive rows in the same IOMMU group share one coloured box; a group split by other
 * rows gets one box per run, labelled "(n/m)". Pure geometry: no DOM, unit-tested.
 */
import type { IommuGroup, PciDevice } from '#shared/model';
import type { PassthroughState } from '#shared/model';
import { PASSTHROUGH_LABEL } from './passthrough-words';
import { deviceTitle } from './format';
import { buildPciTree, type PciTreeNode } from './pci-tree';

export const TOPOLOGY_METRICS = {
  rowHeight: 36,
  nodeHeight: 26,
  indent: 28,
  margin: 16,
  nodeWidth: 460,
  labelWidth: 200,
  boxPadX: 8,
  /** Rough width of one character of node text, to truncate without measuring. */
  charWidth: 6.6,
  addressWidth: 96,
} as const;

export interface TopoNode {
  kind: 'root' | 'device';
  /** PCI address, or the root bus name. */
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
  /** The bold part (address or root bus) and the rest of the line, already truncated. */
  title: string;
  text: string;
  /** Full text, for a tooltip/title element. */
  fullText: string;
  groupId: number | null;
  isBridge: boolean;
  /** This host needs this function (management NIC, a mounted disk, the display): it blocks its group. */
  needed: boolean;
}

export interface TopoEdge {
  from: string;
  to: string;
  /** Polyline points: down the parent's spine, then across to the child. */
  points: Array<[number, number]>;
}

export interface TopoGroupBox {
  groupId: number;
  /** The group's passthrough verdict (host-only when the scan does not know the group). */
  state: PassthroughState;
  colorIndex: number;
  x: number;
  y: number;
  width: number;
  height: number;
  part: number;
  parts: number;
  label: string;
  labelX: number;
  labelY: number;
  /** Member addresses inside this box. */
  members: string[];
}

export interface TopologyLayout {
  width: number;
  height: number;
  nodes: TopoNode[];
  edges: TopoEdge[];
  boxes: TopoGroupBox[];
}

/** Number of distinct group colours (CSS classes topo-c0 … topo-c11). */
export const GROUP_COLOR_COUNT = 12;

export function groupColorIndex(groupId: number): number {
  return ((groupId % GROUP_COLOR_COUNT) + GROUP_COLOR_COUNT) % GROUP_COLOR_COUNT;
}

export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, Math.max(0, maxChars - 1)).trimEnd()}…`;
}

function describe(d: PciDevice): string {
  const parts = [deviceTitle(d), d.driver ?? 'no driver'];
  if (d.physfn) parts.push(`VF of ${d.physfn}`);
  return parts.join(' · ');
}

export function layoutTopology(devices: readonly PciDevice[], groups: readonly IommuGroup[]): TopologyLayout {
  const m = TOPOLOGY_METRICS;
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const needed = new Set(devices.filter((d) => d.hostNeeds.length > 0).map((d) => d.address));
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const textChars = Math.floor((m.nodeWidth - m.addressWidth - 16) / m.charWidth);

  let row = 0;
  let maxDepth = 0;
  const place = (depth: number) => {
    maxDepth = Math.max(maxDepth, depth);
    const y = m.margin + row * m.rowHeight + (m.rowHeight - m.nodeHeight) / 2;
    row++;
    return { x: m.margin + depth * m.indent, y };
  };
  const connect = (parent: TopoNode, child: TopoNode) => {
    const spineX = parent.x + m.indent / 2;
    const midY = child.y + child.height / 2;
    edges.push({
      from: parent.id,
      to: child.id,
      points: [
        [spineX, parent.y + parent.height],
        [spineX, midY],
        [child.x, midY],
      ],
    });
  };
  const visit = (n: PciTreeNode, depth: number, parent: TopoNode) => {
    const { x, y } = place(depth);
    const d = n.device;
    const full = describe(d);
    const node: TopoNode = {
      kind: 'device',
      id: d.address,
      x,
      y,
      width: m.nodeWidth,
      height: m.nodeHeight,
      depth,
      title: d.address,
      text: truncate(full, textChars),
      fullText: `${d.address} ${full}`,
      groupId: d.iommuGroup,
      isBridge: d.isBridge,
      needed: needed.has(d.address),
    };
    nodes.push(node);
    connect(parent, node);
    for (const c of n.children) visit(c, depth + 1, node);
  };

  for (const root of buildPciTree(devices)) {
    const { x, y } = place(0);
    const rootNode: TopoNode = {
      kind: 'root',
      id: root.rootBus,
      x,
      y,
      width: m.nodeWidth,
      height: m.nodeHeight,
      depth: 0,
      title: root.rootBus,
      text: 'Root bus (host bridge domain)',
      fullText: `Root bus ${root.rootBus}`,
      groupId: null,
      isBridge: true,
      needed: false,
    };
    nodes.push(rootNode);
    for (const c of root.children) visit(c, 1, rootNode);
  }

  // Every node is as wide as the deepest row allows, so the group label column lines up.
  const contentRight = m.margin + maxDepth * m.indent + m.nodeWidth;
  for (const n of nodes) n.width = contentRight - n.x;
  const boxRight = contentRight + m.boxPadX + m.labelWidth;

  const boxes = groupBoxes(nodes, groupById, boxRight);
  return {
    width: boxRight + m.margin,
    height: m.margin * 2 + row * m.rowHeight,
    nodes,
    edges,
    boxes,
  };
}

/** One box per run of consecutive rows in the same group. */
function groupBoxes(nodes: TopoNode[], groupById: Map<number, IommuGroup>, right: number): TopoGroupBox[] {
  const m = TOPOLOGY_METRICS;
  const runs: Array<{ groupId: number; nodes: TopoNode[] }> = [];
  for (const n of nodes) {
    const last = runs[runs.length - 1];
    if (n.groupId === null) {
      runs.push({ groupId: -1, nodes: [] });
      continue;
    }
    if (last && last.groupId === n.groupId) last.nodes.push(n);
    else runs.push({ groupId: n.groupId, nodes: [n] });
  }
  const real = runs.filter((r) => r.groupId >= 0);
  const partsOf = new Map<number, number>();
  for (const r of real) partsOf.set(r.groupId, (partsOf.get(r.groupId) ?? 0) + 1);
  const seen = new Map<number, number>();
  return real.map((r) => {
    const first = r.nodes[0] as TopoNode;
    const last = r.nodes[r.nodes.length - 1] as TopoNode;
    const part = (seen.get(r.groupId) ?? 0) + 1;
    seen.set(r.groupId, part);
    const parts = partsOf.get(r.groupId) ?? 1;
    const state = groupById.get(r.groupId)?.passthrough.state ?? 'host-only';
    const x = Math.min(...r.nodes.map((n) => n.x)) - m.boxPadX;
    const top = first.y - (m.rowHeight - m.nodeHeight) / 2 + 2;
    const bottom = last.y + m.nodeHeight + (m.rowHeight - m.nodeHeight) / 2 - 2;
    let label = `Group ${r.groupId}`;
    if (parts > 1) label += ` (${part}/${parts})`;
    label += ` · ${PASSTHROUGH_LABEL[state].toLowerCase()}`;
    return {
      groupId: r.groupId,
      state,
      colorIndex: groupColorIndex(r.groupId),
      x,
      y: top,
      width: right - x,
      height: bottom - top,
      part,
      parts,
      label,
      labelX: right - m.labelWidth + 6,
      labelY: first.y + m.nodeHeight / 2,
      members: r.nodes.map((n) => n.id),
    };
  });
}
