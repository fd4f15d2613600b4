/**
 * The lab's virtual hosts, as data: which emulated NICs sit where in the PCI tree, whether
 * there is an IOMMU, and how the guest is prepared after boot. qemu-args.ts turns one of these
 * into a qemu command line; boot.ts runs the preparation through the agent. Adding a scenario
 * is adding an entry here (and, for fixtures, running `npm run lab:fixtures -- NAME`).
 *
 * Every guest also has two virtio-9p functions on the root bus (00:10.0 the host's /,
 * 00:11.0 the writable share) and the q35 chipset functions (00:00.0, 00:1f.*): they are part
 * of the lab host and show up in its scan like any other device.
 */

export type NicModel = 'igb' | 'e1000e' | 'e1000' | 'rtl8139' | 'virtio-net-pci';

/** Static addressing inside slirp's network (restrict=on: nothing is ever sent out). */
export interface ManagementAddressing {
  ipv4: string;
  gateway4: string;
  ipv6: string;
  gateway6: string;
}

/** slirp's defaults: the guest is 10.0.2.15, which is also where hostfwd forwards to. */
export const SLIRP_ADDRESSING: ManagementAddressing = {
  ipv4: '10.0.2.15/24',
  gateway4: '10.0.2.2',
  ipv6: 'fec0::15/64',
  gateway6: 'fec0::2',
};

export interface LabBridge {
  id: string;
  kind: 'pcie-root-port' | 'pcie-pci-bridge';
  /** Parent bus: `pcie.0` (the root complex) or the id of another bridge. */
  bus: string;
  /** Slot on the parent bus, e.g. `0x2` (function 0). */
  addr?: string;
}

export interface LabNic {
  id: string;
  model: NicModel;
  mac: string;
  /** `pcie.0` or the id of a bridge in the scenario. */
  bus: string;
  addr?: string;
  /** The management NIC: configured with addresses and the default routes after boot. */
  management?: ManagementAddressing;
}

export interface Scenario {
  name: string;
  description: string;
  /** Emulated Intel IOMMU (intel-iommu, interrupt remapping) and intel_iommu=on. */
  iommu: boolean;
  memoryMb: number;
  /** qemu -cpu value; default qemu-args DEFAULT_CPU (Intel, no VT-x under TCG). */
  cpu?: string;
  bridges: LabBridge[];
  nics: LabNic[];
  /** Enable every VF of every SR-IOV PF at boot (sriov_numvfs = sriov_totalvfs). */
  enableAllVfs?: boolean;
}

const rootPort = (n: number): LabBridge => ({ id: `rp${n}`, kind: 'pcie-root-port', bus: 'pcie.0', addr: `0x${(n + 1).toString(16)}` });

/** 52:54:00 is qemu's prefix; the last bytes number the NICs of a scenario. */
const mac = (n: number): string => `52:54:00:12:34:${n.toString(16).padStart(2, '0')}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'seed',
    description: 'The host of the original write-up: an Intel 82576 (igb, SR-IOV, 7 VFs) to pass through, an e1000e as the management NIC.',
    iommu: true,
    memoryMb: 1024,
    bridges: [rootPort(1), rootPort(2)],
    nics: [
      { id: 'igb0', model: 'igb', mac: mac(0x10), bus: 'rp1' },
      { id: 'mgmt', model: 'e1000e', mac: mac(0x01), bus: 'rp2', management: SLIRP_ADDRESSING },
    ],
  },
  {
    name: 'shared-group',
    description: 'Two conventional-PCI NICs (e1000, rtl8139) behind a pcie-pci-bridge share one IOMMU group; an e1000e on its own root port manages the host.',
    iommu: true,
    memoryMb: 1024,
    bridges: [rootPort(1), { id: 'pcibr', kind: 'pcie-pci-bridge', bus: 'rp1' }, rootPort(2)],
    nics: [
      { id: 'nic-a', model: 'e1000', mac: mac(0x20), bus: 'pcibr', addr: '0x1' },
      { id: 'nic-b', model: 'rtl8139', mac: mac(0x21), bus: 'pcibr', addr: '0x2' },
      { id: 'mgmt', model: 'e1000e', mac: mac(0x01), bus: 'rp2', management: SLIRP_ADDRESSING },
    ],
  },
  {
    name: 'no-iommu',
    description: 'The seed host without an IOMMU: no intel-iommu device, no intel_iommu=on. Passthrough is impossible here.',
    iommu: false,
    memoryMb: 1024,
    bridges: [rootPort(1), rootPort(2)],
    nics: [
      { id: 'igb0', model: 'igb', mac: mac(0x10), bus: 'rp1' },
      { id: 'mgmt', model: 'e1000e', mac: mac(0x01), bus: 'rp2', management: SLIRP_ADDRESSING },
    ],
  },
  {
    name: 'many-vfs',
    description: 'Four igb NICs, each on its own root port, with all 7 VFs of each enabled at boot (bound to igbvf), and an e1000e management NIC.',
    iommu: true,
    memoryMb: 1536,
    bridges: [rootPort(1), rootPort(2), rootPort(3), rootPort(4), rootPort(5)],
    nics: [
      { id: 'igb0', model: 'igb', mac: mac(0x10), bus: 'rp1' },
      { id: 'igb1', model: 'igb', mac: mac(0x11), bus: 'rp2' },
      { id: 'igb2', model: 'igb', mac: mac(0x12), bus: 'rp3' },
      { id: 'igb3', model: 'igb', mac: mac(0x13), bus: 'rp4' },
      { id: 'mgmt', model: 'e1000e', mac: mac(0x01), bus: 'rp5', management: SLIRP_ADDRESSING },
    ],
    enableAllVfs: true,
  },
  {
    name: 'virtio',
    description: 'A virtio-net NIC only (on a root port), which is also the management NIC.',
    iommu: true,
    memoryMb: 1024,
    bridges: [rootPort(1)],
    nics: [{ id: 'mgmt', model: 'virtio-net-pci', mac: mac(0x01), bus: 'rp1', management: SLIRP_ADDRESSING }],
  },
];

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown lab scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
