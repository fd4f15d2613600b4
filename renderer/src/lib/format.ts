/**
 * Plain-words formatting shared by every view, so the same value always reads the same way
 * (and null never leaks out as "null").
 */
import type { IpAddress, PciDevice } from '#shared/model';

/** Shown for a value the host did not report. */
export const NONE = '—';

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function vendorDeviceIds(d: Pick<PciDevice, 'vendorId' | 'deviceId'>): string {
  return `${d.vendorId}:${d.deviceId}`;
}

/** The device's name, or its ids when pci.ids does not know it. */
export function deviceTitle(d: PciDevice): string {
  return d.deviceName ?? `Device ${vendorDeviceIds(d)}`;
}

export function vendorTitle(d: PciDevice): string {
  return d.vendorName ?? `Vendor ${d.vendorId}`;
}

/** Vendor and device name together; null when pci.ids knows neither. */
export function fullName(d: PciDevice): string | null {
  if (d.vendorName === null && d.deviceName === null) return null;
  return [d.vendorName, d.deviceName].filter(Boolean).join(' ');
}

export function classTitle(d: PciDevice): string {
  return d.className ?? `Class ${d.classId}`;
}

/** Short single line naming a device, for lists: address, then name or ids. */
export function deviceLine(d: PciDevice): string {
  return `${d.address} ${deviceTitle(d)}`;
}

export function formatSpeed(mbps: number | null): string {
  if (mbps === null || mbps <= 0) return 'Unknown';
  if (mbps >= 1000) {
    const g = mbps / 1000;
    return `${Number.isInteger(g) ? g : g.toFixed(1)} Gb/s`;
  }
  return `${mbps} Mb/s`;
}

/** SR-IOV state in one phrase: PF totals, the PF a VF belongs to, or nothing. */
export function formatSriov(d: PciDevice): string {
  if (d.sriov) return `${d.sriov.numVfs} of ${d.sriov.totalVfs} VFs enabled`;
  if (d.physfn) return `VF of ${d.physfn}`;
  return NONE;
}

export function formatResetMethods(methods: string[] | null): string {
  if (methods === null) return 'Unknown (kernel has no reset_method)';
  if (methods.length === 0) return 'None';
  return methods.join(', ');
}

export function formatNullable(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? NONE : String(v);
}

export function formatIp(a: IpAddress): string {
  return `${a.address}/${a.prefixLength}`;
}

export function formatBool(v: boolean | null, yes = 'Yes', no = 'No'): string {
  return v === null ? 'Unknown' : v ? yes : no;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A timestamp in UTC, unambiguous for bug reports; the raw text when it does not parse. */
export function formatTimestamp(iso: string | null): string {
  if (!iso) return 'unknown time';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

/** Local wall-clock time, for "updated at" hints. */
export function formatClock(ms: number): string {
  const t = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

export function iommuVendorLabel(vendor: string | null): string {
  switch (vendor) {
    case null:
      return 'None';
    case 'intel':
      return 'Intel VT-d (DMAR)';
    case 'amd':
      return 'AMD-Vi';
    case 'virtio':
      return 'virtio-iommu';
    case 'arm-smmu':
      return 'Arm SMMU';
    default:
      return vendor;
  }
}

export function iommuModeLabel(mode: 'passthrough' | 'translated' | null): string {
  if (mode === 'passthrough') return 'Passthrough (iommu=pt)';
  if (mode === 'translated') return 'Translated DMA';
  return 'Not active';
}

export function virtualizationLabel(v: 'vmx' | 'svm' | null): string {
  if (v === 'vmx') return 'Intel VT-x (vmx)';
  if (v === 'svm') return 'AMD-V (svm)';
  return 'Not available';
}

export type ClassCategory = 'storage' | 'network' | 'display' | 'multimedia' | 'memory' | 'bridge' | 'communication' | 'system' | 'serial-bus' | 'accelerator' | 'other';

const CATEGORY_BY_BASE: Record<string, ClassCategory> = {
  '01': 'storage',
  '02': 'network',
  '03': 'display',
  '04': 'multimedia',
  '05': 'memory',
  '06': 'bridge',
  '07': 'communication',
  '08': 'system',
  '0c': 'serial-bus',
  '12': 'accelerator',
};

export const CATEGORY_LABELS: Record<ClassCategory, string> = {
  storage: 'Storage',
  network: 'Network',
  display: 'Display',
  multimedia: 'Multimedia',
  memory: 'Memory',
  bridge: 'Bridges',
  communication: 'Communication',
  system: 'System peripherals',
  'serial-bus': 'USB and serial bus',
  accelerator: 'Accelerators',
  other: 'Other',
};

/** The PCI base class (first byte of classId) as a coarse category for filtering. */
export function classCategory(classId: string): ClassCategory {
  return CATEGORY_BY_BASE[classId.slice(0, 2).toLowerCase()] ?? 'other';
}
