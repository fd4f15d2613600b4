/**
 * Facts the assign/release checks need beyond the scan: which PCI functions back a mounted
 * filesystem, which display is in use, whether vfio-pci can be had, which devices Passthru
 * persisted. All read through HostFs, so a snapshot or a fake tree answers like the live host.
 */
import type { HostNeed, HostScan, VfioGroupUser } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { udevRulePath } from '../formats/persistence-files';

export interface HostFacts {
  scan: HostScan;
  /** PCI function → what it holds mounted ("it controls the disk of /, /home"). */
  mountedDiskControllers: Map<string, string>;
  /** Display functions in use (boot VGA with a driver, or a connected DRM connector) → reason. */
  displaysInUse: Map<string, string>;
  vfioPci: 'loaded' | 'loadable' | 'missing';
  /** Devices with a Passthru udev rule present. */
  persisted: Set<string>;
  /** PFs with a Passthru SR-IOV boot rule, and what it recreates. */
  sriovPersisted: Map<string, { numVfs: number; autoprobe: boolean }>;
  /**
   * IOMMU group → processes holding /dev/vfio/<group> open (a running VM, usually qemu). Only
   * processes this user may inspect are seen; on a snapshot there are none.
   */
  vfioGroupUsers: Map<number, VfioGroupUser[]>;
  uid: number | null;
}

/** Devices with a host need of `kind` → what depends on them (the scan found them: probes/host-needs.ts). */
function needsOf(scan: HostScan, kind: HostNeed['kind']): Map<string, string> {
  return new Map(scan.devices.flatMap((d) => d.hostNeeds.filter((n) => n.kind === kind).map((n) => [d.address, n.detail] as const)));
}

/** Reads the facts; never writes. */
export async function gatherHostFacts(fs: HostFs, scan: HostScan): Promise<HostFacts> {
  const vfio = scan.host.vfio;
  const vfioPci =
    vfio.loaded.includes('vfio_pci') || fs.exists('/sys/module/vfio_pci') || fs.exists('/sys/bus/pci/drivers/vfio-pci')
      ? 'loaded'
      : vfio.available.includes('vfio_pci')
        ? 'loadable'
        : 'missing';
  const persisted = new Set(scan.devices.map((d) => d.address).filter((a) => fs.exists(udevRulePath(a))));
  const sriovPersisted = new Map(scan.devices.flatMap((d) => (d.sriov?.bootRule ? [[d.address, d.sriov.bootRule] as const] : [])));
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  return {
    scan,
    mountedDiskControllers: needsOf(scan, 'mounted-disk'),
    displaysInUse: needsOf(scan, 'display'),
    vfioPci,
    persisted,
    sriovPersisted,
    vfioGroupUsers: new Map(scan.groups.filter((g) => g.openBy.length).map((g) => [g.id, g.openBy])),
    uid,
  };
}
