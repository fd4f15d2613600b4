/**
 * The host inventory as every consumer sees it: the CLI's `scan --json`, the IPC payload to the
 * renderer, the lab's cross-checks. This shape is a public contract (other programs read
 * `scan --json`): every field is always present, a missing value is `null` (never absent), PCI
 * addresses are in full `0000:00:02.0` form and ids are 4 lowercase hex digits.
 */

/** Full PCI address, domain:bus:slot.function, e.g. `0000:08:00.0`. */
export type PciAddress = string;

export interface HostScan {
  /** Schema version of this document; bump on incompatible changes. */
  schemaVersion: 1;
  /** Where the data came from: the live host (`/`) or a snapshot/test root directory. */
  source: ScanSource;
  host: HostInfo;
  devices: PciDevice[];
  groups: IommuGroup[];
  interfaces: NetInterface[];
  /** Readiness checklist derived from `host` (and devices), in display order. */
  readiness: ReadinessCheck[];
}

export interface ScanSource {
  /** `live` is this machine (root `/`); any other root is a snapshot or test tree on disk. */
  kind: 'live' | 'snapshot';
  /** Filesystem root the probes read from. */
  root: string;
  /** For snapshots: when and where it was captured (from the snapshot manifest), else null. */
  capturedAt: string | null;
  hostname: string | null;
}

export interface HostInfo {
  /** Kernel release (`uname -r`, read from /proc/sys/kernel/osrelease). */
  kernel: string | null;
  /** Full /proc/cmdline. */
  cmdline: string | null;
  cpu: {
    /** `GenuineIntel`, `AuthenticAMD`, ... from /proc/cpuinfo vendor_id. */
    vendor: string | null;
    /** `vmx` (Intel VT-x), `svm` (AMD-V) or null when the flag is absent. */
    virtualization: 'vmx' | 'svm' | null;
    modelName: string | null;
  };
  /** /dev/kvm exists. */
  kvm: boolean;
  /**
   * The scanning user can open /dev/kvm read-write; null when unknown. A snapshot records
   * what its capturing user could do.
   */
  kvmAccessible: boolean | null;
  iommu: {
    /** IOMMU units registered (/sys/class/iommu non-empty) and groups present. */
    enabled: boolean;
    /** `intel` (DMAR / VT-d), `amd` (AMD-Vi), `virtio`, `arm-smmu`, other name, or null. */
    vendor: string | null;
    /** Names under /sys/class/iommu, e.g. `dmar0`. */
    units: string[];
    groupCount: number;
    /**
     * Default DMA domain type in effect: `passthrough` (iommu=pt, group type `identity`),
     * `translated` (`DMA`/`DMA-FQ`), or null when there are no groups.
     */
    mode: 'passthrough' | 'translated' | null;
    /** IOMMU-related kernel arguments found on the command line, e.g. `intel_iommu=on`. */
    cmdlineArgs: string[];
    /** Interrupt remapping active (IR- interrupt chips in /proc/interrupts); null if unknown. */
    interruptRemapping: boolean | null;
  };
  vfio: {
    /** Which of vfio, vfio_pci, vfio_iommu_type1 are loaded (present in /sys/module). */
    loaded: string[];
    /** Which of them exist for this kernel (modules.dep or modules.builtin). */
    available: string[];
    /** /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts is Y. */
    unsafeInterrupts: boolean | null;
  };
}

export interface PciDevice {
  address: PciAddress;
  vendorId: string;
  deviceId: string;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  /** 6 hex digits: class, subclass, prog-if, e.g. `020000`. */
  classId: string;
  revision: string | null;
  vendorName: string | null;
  deviceName: string | null;
  subsystemName: string | null;
  /** Subclass name when known, else class name (as lspci prints it). */
  className: string | null;
  driver: string | null;
  driverOverride: string | null;
  /** Kernel modules whose PCI aliases match this device's modalias (as `lspci -k`). */
  modules: string[];
  iommuGroup: number | null;
  numaNode: number | null;
  /** Parent bridge address, or null when the device sits directly on a root bus. */
  parent: PciAddress | null;
  /** Root bus this device hangs under, e.g. `pci0000:00`. */
  rootBus: string;
  /** From `reset_method` (kernel ≥ 5.15); [] when none; null when the kernel lacks the file. */
  resetMethods: string[] | null;
  sriov: SriovInfo | null;
  /** For a VF: the address of its PF; otherwise null. */
  physfn: PciAddress | null;
  /** Network interface names bound to this function. */
  interfaces: string[];
  /** PCI-to-PCI bridge, host bridge or other bridge class (0x06xx). */
  isBridge: boolean;
  /** boot_vga is 1: the firmware's console display device. */
  bootVga: boolean;
  /** Why the host cannot give this device up (empty when nothing of the host depends on it). */
  hostNeeds: HostNeed[];
  /** ACS as its config space states it (the sysfs `config` file); null when `config` could not be read at all. */
  acs: AcsFacts | null;
}

/** The PCIe device/port type (PCI Express capability), or `conventional` PCI / PCI-X (no such capability). */
export type PciePortType =
  | 'conventional'
  | 'endpoint'
  | 'legacy-endpoint'
  | 'rc-endpoint'
  | 'root-port'
  | 'upstream-port'
  | 'downstream-port'
  | 'pcie-to-pci-bridge'
  | 'pci-to-pcie-bridge'
  | 'rc-event-collector'
  | 'other';

/** The ACS controls the kernel requires for isolation (REQ_ACS_FLAGS): Source Validation, P2P Request/Completion Redirect, Upstream Forwarding. */
export type AcsControl = 'source-validation' | 'request-redirect' | 'completion-redirect' | 'upstream-forwarding';

/**
 * Access Control Services of one function, read from its config space and judged as the
 * kernel's pci_acs_enabled() does (without the kernel's device quirks, which config space
 * cannot show). Three ways: `isolates` true, false, or null when unknown — the kernel shows a
 * user other than root only the first 64 bytes of config space, and the capabilities lie beyond.
 */
export interface AcsFacts {
  /** Bytes of config space read: 64 (128 for CardBus) when the kernel hid the rest (not root); as root 256 (conventional PCI) or 4096 (PCIe, host bridges). */
  configSize: number;
  /** From the PCI Express capability; `conventional` without one; null when not readable (64 bytes). */
  portType: PciePortType | null;
  /** Header type bit 7: the device has several functions (readable from the first 64 bytes). */
  multifunction: boolean;
  /** It has an ACS extended capability; null when unknown (config space beyond the header unreadable). */
  present: boolean | null;
  /** ACS Capability register (16 bits), null when absent or unknown. */
  capability: number | null;
  /** ACS Control register (16 bits), null when absent or unknown. */
  control: number | null;
  /**
   * Whether this function keeps what is below it (a port) or its sibling functions (a
   * multifunction device) apart, per its config space: true, false, or null when unknown.
   * A single-function endpoint needs no ACS: true.
   */
  isolates: boolean | null;
  /** When `isolates` is false with ACS present: the required controls that are off. */
  missing: AcsControl[];
}

/** Something of the host that depends on a device: taking the device away takes it down. */
export interface HostNeed {
  kind: 'management-nic' | 'mounted-disk' | 'display';
  /** Plain words naming what depends on it, e.g. "it carries the host's default route (enp2s0)". */
  detail: string;
}

export interface SriovInfo {
  totalVfs: number;
  numVfs: number;
  /** VF addresses in virtfn index order (virtfn0, virtfn1, ...). */
  vfs: PciAddress[];
  /** sriov_drivers_autoprobe; null when unreadable. */
  driversAutoprobe: boolean | null;
  /**
   * Per-VF settings the PF driver holds (`ip -j link show` of the PF's interface, its
   * `vfinfo_list`), in VF index order; null when the PF has no interface or iproute2 was not read.
   */
  vfSettings: VfSettings[] | null;
  /** Passthru's boot rule for this PF (recreates the VFs when its driver binds), or null. */
  bootRule: { numVfs: number; autoprobe: boolean } | null;
}

/** One VF as its PF driver configures it (`ip link set PF vf N ...`). */
export interface VfSettings {
  index: number;
  /** Administratively set MAC; null when the PF reports none (00:00:00:00:00:00). */
  mac: string | null;
  /** 0 when untagged. */
  vlan: number;
  qos: number;
  spoofCheck: boolean | null;
  trust: boolean | null;
  linkState: 'auto' | 'enable' | 'disable' | null;
}

/**
 * What a group means for passthrough, the one verdict every view shows:
 * - `ready`: a VM can take it now (its endpoints on vfio-pci, the rest driver-less or bridges);
 * - `assignable`: one endpoint on a host driver the host does not need: one assign makes it ready;
 * - `shared`: several endpoints the host does not need, which can only go to a VM together;
 * - `host-only`: bridges and ports only: nothing to pass through;
 * - `blocked`: a member the host cannot give up (management NIC, a mounted disk, the display).
 */
export type PassthroughState = 'ready' | 'assignable' | 'shared' | 'host-only' | 'blocked';

export interface GroupPassthrough {
  state: PassthroughState;
  /** Why, one sentence each, naming the member it is about. */
  reasons: string[];
  /** The endpoints a VM gets together (bridges stay with the host). */
  members: PciAddress[];
  /**
   * For a group of several endpoints: what joins them (one device's functions, a bridge that
   * cannot keep them apart) and what the user can do about it. Empty otherwise.
   */
  joinedBy: string[];
  options: string[];
}

export interface IommuGroup {
  id: number;
  devices: PciAddress[];
  /**
   * The kernel's sense: VFIO could take the group right now (every member driver-less, on
   * vfio-pci, on pci-stub, or a bridge). A fact, not the verdict shown: see `passthrough`.
   */
  viable: boolean;
  passthrough: GroupPassthrough;
  /** Members that make the group non-viable, with their driver. */
  blockers: GroupBlocker[];
  /**
   * Processes holding /dev/vfio/<id> open: a running VM (qemu). Only processes the scanning
   * user may inspect are seen; snapshots record none.
   */
  openBy: VfioGroupUser[];
}

export interface VfioGroupUser {
  pid: number;
  /** /proc/<pid>/comm, e.g. qemu-system-x86. */
  command: string;
}

export interface GroupBlocker {
  address: PciAddress;
  driver: string;
}

export type InterfaceKind = 'loopback' | 'physical' | 'bridge' | 'bond' | 'vlan' | 'tap' | 'virtual';

export interface NetInterface {
  name: string;
  mac: string | null;
  /** PCI function behind the interface, or null for virtual interfaces. */
  device: PciAddress | null;
  driver: string | null;
  operstate: string | null;
  speedMbps: number | null;
  mtu: number | null;
  addresses: IpAddress[];
  /** Which default routes (v4/v6) leave through this interface. */
  defaultRoute: { ipv4: boolean; ipv6: boolean };
  /** Bridge or bond this interface is a port of. */
  master: string | null;
  /** Ports of this bridge/bond (empty otherwise). */
  ports: string[];
  kind: InterfaceKind;
  /**
   * Carries the host's management traffic: it has the default route, or is a port of a
   * bridge/bond that does. Unbinding it cuts the host off the network.
   */
  management: boolean;
  /**
   * In use by the host: it holds an address (IPv6 link-local aside), a route of the main
   * table (v4 or v6) leaves through it, or it is a port/lower link of an interface that is in
   * use. Taking its device away disturbs the host even when it is not the management NIC.
   */
  inUse: boolean;
  /** For a VF's interface: the PF's interface name, if any. */
  pfInterface: string | null;
}

export interface IpAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefixLength: number;
  scope: string | null;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface ReadinessCheck {
  id: 'cpu-virtualization' | 'kvm' | 'iommu-enabled' | 'iommu-mode' | 'interrupt-remapping' | 'vfio-modules' | 'kernel-cmdline';
  title: string;
  status: CheckStatus;
  /** What was found, in plain words, with the evidence. */
  detail: string;
  /** What to do about it; null when nothing is needed. */
  remedy: string | null;
}
