/**
 * The readable `passthru scan` summary: what a user checks before passthrough — readiness
 * verdicts with their fix, devices as lspci shows them plus driver and IOMMU group, each
 * group's passthrough verdict with why, and interfaces with the management one marked.
 */
import type { HostScan, IommuGroup, NetInterface, PassthroughState, PciDevice, ReadinessCheck } from '#shared/model';

/** Aligns columns; the last column is not padded. */
export function formatTable(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatScan(scan: HostScan): string {
  const out: string[] = [];
  out.push(...hostLines(scan), '');
  out.push('Readiness', ...scan.readiness.flatMap(readinessLines), '');
  out.push(`PCI devices (${scan.devices.length})`, ...deviceLines(scan.devices), '');
  out.push(`IOMMU groups (${scan.groups.length})`, ...groupLines(scan), '');
  out.push(`Network interfaces (${scan.interfaces.length})`, ...interfaceLines(scan.interfaces), '');
  return `${out.join('\n')}`;
}

function hostLines(scan: HostScan): string[] {
  const { host, source } = scan;
  const where =
    source.kind === 'live'
      ? 'This host'
      : source.capturedAt === null
        ? `Host tree at ${source.root}`
        : `Snapshot of ${source.hostname ?? 'a host'} captured ${source.capturedAt} (${source.root})`;
  const cpu = [host.cpu.vendor, host.cpu.modelName].filter(Boolean).join(' ') || 'unknown CPU';
  const iommu = host.iommu.enabled
    ? `IOMMU on (${host.iommu.vendor ?? 'unknown vendor'}, ${host.iommu.groupCount} groups${host.iommu.mode ? `, ${host.iommu.mode}` : ''})`
    : 'IOMMU off';
  return [
    `${where} — kernel ${host.kernel ?? 'unknown'}`,
    `  CPU: ${cpu}${host.cpu.virtualization ? ` (${host.cpu.virtualization})` : ''}; /dev/kvm ${host.kvm ? 'present' : 'missing'}; ${iommu}`,
    `  vfio modules loaded: ${host.vfio.loaded.length > 0 ? host.vfio.loaded.join(', ') : 'none'}`,
  ];
}

function readinessLines(check: ReadinessCheck): string[] {
  const lines = [`  ${check.status.toUpperCase().padEnd(4)}  ${check.title}: ${check.detail}`];
  if (check.remedy) lines.push(`        → ${check.remedy}`);
  return lines;
}

/** `Vendor Device` as lspci prints it, with ids standing in for unknown names. */
export function deviceDescription(d: PciDevice): string {
  return `${d.vendorName ?? `Vendor ${d.vendorId}`} ${d.deviceName ?? `Device ${d.deviceId}`}`;
}

function deviceLines(devices: PciDevice[]): string[] {
  if (devices.length === 0) return ['  (none)'];
  const rows = devices.map((d) => [
    d.address,
    `${d.className ?? 'Class'} [${d.classId.slice(0, 4)}]`,
    `${d.vendorId}:${d.deviceId}`,
    d.driver ?? '-',
    d.iommuGroup === null ? '-' : String(d.iommuGroup),
    [
      deviceDescription(d),
      d.revision && d.revision !== '00' ? `(rev ${d.revision})` : '', // as lspci
      d.interfaces.length > 0 ? `[${d.interfaces.join(', ')}]` : '',
      d.sriov ? `SR-IOV ${d.sriov.numVfs}/${d.sriov.totalVfs} VFs` : '',
      d.physfn ? `VF of ${d.physfn}` : '',
    ]
      .filter(Boolean)
      .join(' '),
  ]);
  return formatTable(['ADDRESS', 'CLASS', 'IDS', 'DRIVER', 'GROUP', 'DEVICE'], rows);
}

function groupLines(scan: HostScan): string[] {
  if (scan.groups.length === 0) {
    return [scan.host.iommu.enabled ? '  (none)' : '  (none: the IOMMU is off, so no device can be passed through)'];
  }
  const rows = scan.groups.map((g: IommuGroup) => [String(g.id), g.passthrough.state, g.devices.join(' '), g.passthrough.reasons.join(' ')]);
  const counts = PASSTHROUGH_ORDER.map((s) => [s, scan.groups.filter((g) => g.passthrough.state === s).length] as const).filter(([, n]) => n > 0);
  return [
    `  ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`,
    ...formatTable(['GROUP', 'VERDICT', 'MEMBERS', 'WHY'], rows),
    '  ready = a VM can take it now; assignable = one assign makes it ready; shared = its devices go to a VM together;',
    '  host-only = bridges and ports only; blocked = it holds something this host cannot give up.',
  ];
}

/** The verdicts in the order a user looks for them. */
const PASSTHROUGH_ORDER: readonly PassthroughState[] = ['ready', 'assignable', 'shared', 'blocked', 'host-only'];

function interfaceLines(interfaces: NetInterface[]): string[] {
  if (interfaces.length === 0) return ['  (none)'];
  const rows = interfaces.map((i) => [
    i.name,
    i.kind,
    i.operstate ?? '-',
    i.mac ?? '-',
    i.speedMbps === null ? '-' : `${i.speedMbps}Mb/s`,
    i.mtu === null ? '-' : String(i.mtu),
    i.device ?? '-',
    i.driver ?? '-',
    role(i),
    i.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ') || '-',
  ]);
  const lines = formatTable(['NAME', 'KIND', 'STATE', 'MAC', 'SPEED', 'MTU', 'DEVICE', 'DRIVER', 'ROLE', 'ADDRESSES'], rows);
  if (interfaces.some((i) => i.management)) {
    lines.push('  MANAGEMENT = carries the default route (or is a port under it): giving its device away cuts this host off.');
  }
  return lines;
}

function role(i: NetInterface): string {
  const parts: string[] = [];
  if (i.management) {
    const fams = [i.defaultRoute.ipv4 ? 'v4' : '', i.defaultRoute.ipv6 ? 'v6' : ''].filter(Boolean).join('+');
    parts.push(fams ? `MANAGEMENT (default ${fams})` : 'MANAGEMENT');
  } else if (i.inUse) {
    parts.push('in use');
  }
  if (i.master) parts.push(`port of ${i.master}`);
  if (i.ports.length > 0) parts.push(`ports ${i.ports.join(',')}`);
  if (i.pfInterface) parts.push(`VF of ${i.pfInterface}`);
  return parts.join('; ') || '-';
}
