/**
 * ACS (Access Control Services) as a function's config space states it: the facts behind "why
 * do these devices share an IOMMU group", which users need answered to choose what to do. The
 * sysfs `config` file is read through the HostFs like every other attribute, so a snapshot
 * answers as the host did.
 *
 * The kernel shows a user other than root only the first 64 bytes of `config` (128 for a
 * CardBus bridge); the capability lists lie beyond, so without root the answer is "unknown",
 * never a guess. With root, a conventional PCI function's config is 256 bytes (no extended
 * space, hence no ACS) and a PCIe function's 4096.
 *
 * The judgement follows the kernel's pci_acs_enabled() (drivers/pci/pci.c) with the flags
 * the IOMMU layer requires of a path (REQ_ACS_FLAGS in drivers/iommu/iommu.c: Source
 * Validation, P2P Request Redirect, P2P Completion Redirect, Upstream Forwarding), without
 * the kernel's device-specific quirks (drivers/pci/quirks.c), which config space cannot show.
 */
import type { AcsControl, AcsFacts, PciePortType } from '#shared/model';
import type { HostFs } from '../fs/host-fs';

/** Config space bytes a non-root reader gets (the kernel hides the rest). */
export const HEADER_BYTES = 64;
/** Conventional config space; the extended capabilities start here. */
const STANDARD_BYTES = 256;
const EXT_CAP_START = 0x100;
const EXT_CAP_ID_ACS = 0x000d;
const CAP_ID_EXP = 0x10;

/** ACS control bits (PCI_ACS_* in include/uapi/linux/pci_regs.h). */
export const ACS_BITS: Record<AcsControl, number> = {
  'source-validation': 0x01,
  'request-redirect': 0x04,
  'completion-redirect': 0x08,
  'upstream-forwarding': 0x10,
};
const REQ_ACS_FLAGS = 0x01 | 0x04 | 0x08 | 0x10;
/** Egress control: never required, so never masked in (PCI_ACS_EC). */
const ACS_EC = 0x20;

/** Device/port type field of the PCI Express Capabilities register (PCI_EXP_TYPE_*). */
const PORT_TYPES: Record<number, PciePortType> = {
  0x0: 'endpoint',
  0x1: 'legacy-endpoint',
  0x4: 'root-port',
  0x5: 'upstream-port',
  0x6: 'downstream-port',
  0x7: 'pcie-to-pci-bridge',
  0x8: 'pci-to-pcie-bridge',
  0x9: 'rc-endpoint',
  0xa: 'rc-event-collector',
};

/** The ACS facts of the function whose sysfs directory is `dir`; null when its `config` cannot be read at all. */
export function readAcs(fs: HostFs, dir: string): AcsFacts | null {
  const config = fs.readBytes(`${dir}/config`);
  return config === null ? null : parseAcs(config);
}

const u16 = (b: Uint8Array, at: number): number => (b[at] as number) | ((b[at + 1] as number) << 8);
const u32 = (b: Uint8Array, at: number): number => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/**
 * Reads ACS from raw config space bytes as `config` returned them. Never throws and always
 * ends, whatever the bytes: every pointer is bounded and a revisited one stops the walk.
 */
export function parseAcs(config: Uint8Array): AcsFacts {
  const size = config.length;
  const multifunction = size > 0x0e && ((config[0x0e] as number) & 0x80) !== 0;
  const unknown: AcsFacts = { configSize: size, portType: null, multifunction, present: null, capability: null, control: null, isolates: null, missing: [] };
  if (size < STANDARD_BYTES) return unknown;

  const expressAt = findCapability(config, CAP_ID_EXP);
  const portType: PciePortType = expressAt === null ? 'conventional' : (PORT_TYPES[((config[expressAt + 2] as number) >> 4) & 0xf] ?? 'other');
  const acsAt = findExtendedCapability(config, EXT_CAP_ID_ACS);
  const capability = acsAt === null || acsAt + 8 > size ? null : u16(config, acsAt + 4);
  const control = acsAt === null || acsAt + 8 > size ? null : u16(config, acsAt + 6);
  const present = capability !== null;

  // pci_acs_flags_enabled(): a control the capability lacks counts as hard-wired on.
  const required = capability === null ? REQ_ACS_FLAGS : REQ_ACS_FLAGS & (capability | ACS_EC);
  const missing = (Object.keys(ACS_BITS) as AcsControl[]).filter((c) => (required & ACS_BITS[c]) !== 0 && ((control ?? 0) & ACS_BITS[c]) === 0);
  const flagsEnabled = present && missing.length === 0;

  let isolates: boolean;
  switch (portType) {
    // Conventional PCI and PCI-X never isolate; PCIe-to-PCI bridges and event collectors
    // "must never implement" ACS, and the kernel takes them as not isolating.
    case 'conventional':
    case 'pcie-to-pci-bridge':
    case 'pci-to-pcie-bridge':
    case 'rc-event-collector':
      isolates = false;
      break;
    // Root and downstream ports isolate only with ACS enabled.
    case 'root-port':
    case 'downstream-port':
      isolates = flagsEnabled;
      break;
    // Other PCIe functions need ACS only between the functions of a multifunction device.
    case 'endpoint':
    case 'legacy-endpoint':
    case 'upstream-port':
    case 'rc-endpoint':
      isolates = multifunction ? flagsEnabled : true;
      break;
    default:
      isolates = true;
  }
  return {
    configSize: size,
    portType,
    multifunction,
    present,
    capability,
    control,
    isolates,
    missing: isolates || !present ? [] : missing,
  };
}

/** Offset of a standard capability (pci_find_capability), or null; at most 48 hops, as the kernel. */
function findCapability(config: Uint8Array, id: number): number | null {
  if ((u16(config, 0x06) & 0x10) === 0) return null; // PCI_STATUS_CAP_LIST
  const headerType = (config[0x0e] as number) & 0x7f;
  let pos = config[headerType === 2 ? 0x14 : 0x34] as number;
  for (let ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
    pos &= ~3;
    const capId = config[pos] as number;
    if (capId === 0xff) return null;
    if (capId === id) return pos;
    pos = config[pos + 1] as number;
  }
  return null;
}

/**
 * Offset of an extended capability (pci_find_ext_capability): the list starts at 0x100, each
 * header is 32 bits little-endian (id 0-15, version 16-19, next 20-31). Ends at a zero or
 * all-ones header, a next pointer below 0x100 or past the end, or one already visited.
 */
export function findExtendedCapability(config: Uint8Array, id: number): number | null {
  const seen = new Set<number>();
  let pos = EXT_CAP_START;
  while (pos >= EXT_CAP_START && pos + 4 <= config.length && !seen.has(pos)) {
    seen.add(pos);
    const header = u32(config, pos);
    if (header === 0 || header === 0xffffffff) return null;
    if ((header & 0xffff) === id) return pos;
    pos = (header >>> 20) & 0xffc;
  }
  return null;
}
