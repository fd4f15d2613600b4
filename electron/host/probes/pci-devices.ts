import * as path from 'node:path';
import type { PciAddress, PciDevice, SriovInfo } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { parseSriovRule, sriovRulePath } from '../formats/persistence-files';
import { loadPciAliases, type PciAliasIndex } from './modules-alias';
import { loadPciIds, type PciIds } from './pci-ids';
import { readAcs } from './pci-config';
import { PCI_ADDRESS_RE, ROOT_BUS_RE, normaliseHex, readHex, readInt, readLinkBase, readTrim, kernelRelease } from './sysfs-read';

const PCI_DEVICES = '/sys/bus/pci/devices';

/** Identity of a function as the kernel announces it. */
interface PciIdentity {
  vendorId: string;
  deviceId: string;
  /** Raw subsystem ids, `0000` included (the modalias needs them). */
  subVendorRaw: string;
  subDeviceRaw: string;
  classId: string;
  driver: string | null;
  modalias: string;
}

interface ProbeContext {
  fs: HostFs;
  names: PciIds | null;
  aliases: PciAliasIndex | null;
  /** VF address → PF address, filled as PFs are read (PFs sort before their VFs). */
  vfToPf: Map<PciAddress, PciAddress>;
  /** PCI function → its network interfaces, from /sys/class/net. */
  interfaces: Map<PciAddress, string[]>;
  /** Kernel ≥ 5.15 has reset_method and hides it when a device has no reset method at all. */
  hasResetMethodFile: boolean;
}

/**
 * Every PCI function of the host, sorted by address, with names from the system's pci.ids
 * and candidate modules from modules.alias — the data behind the Devices table and the scan.
 *
 * Reads are kept to what the model needs (one `uevent` read gives ids, class, driver and
 * modalias at once; VF → PF links come from the PF's `virtfnN` links; interfaces come from one
 * pass over /sys/class/net, unless the caller passes them — the full scan takes them from the
 * network probe), because a large host has thousands of functions and each sysfs
 * read is a syscall round trip.
 */
export function probePciDevices(fs: HostFs, interfaces?: Map<PciAddress, string[]>): PciDevice[] {
  const addresses = sortPciAddresses(fs.list(PCI_DEVICES).filter((a) => PCI_ADDRESS_RE.test(a)));
  const ctx: ProbeContext = {
    fs,
    names: loadPciIds(fs),
    aliases: loadPciAliases(fs),
    vfToPf: new Map(),
    interfaces: interfaces ?? interfacesByFunction(fs),
    hasResetMethodFile: kernelAtLeast(kernelRelease(fs), 5, 15),
  };
  const devices: PciDevice[] = [];
  for (const address of addresses) {
    const device = readPciDevice(ctx, address);
    if (device !== null) devices.push(device);
  }
  // A VF sorting before its PF (unusual numbering) still gets its physfn.
  for (const d of devices) if (d.physfn === null) d.physfn = ctx.vfToPf.get(d.address) ?? null;
  return devices;
}

function readPciDevice(ctx: ProbeContext, address: PciAddress): PciDevice | null {
  const { fs, names } = ctx;
  const link = `${PCI_DEVICES}/${address}`;
  let dir = deviceDir(fs, link);
  let id = dir === null ? null : readIdentity(fs, dir);
  if (id === null) {
    // The lexical resolution did not lead to the device: ask for the canonical path.
    dir = fs.realPath(link);
    id = dir === null ? null : readIdentity(fs, dir);
  }
  if (dir === null || id === null) return null; // vanished while scanning

  const components = dir.split('/');
  const parentComponent = components[components.length - 2] ?? '';
  const rootBus = [...components].reverse().find((c) => ROOT_BUS_RE.test(c)) ?? `pci${address.slice(0, -5)}`;
  const isBridge = id.classId.startsWith('06');
  const isKnownVf = ctx.vfToPf.has(address);
  const hasSubsystem = id.subVendorRaw !== '0000' && id.subVendorRaw !== 'ffff';
  const subsystemVendorId = hasSubsystem ? id.subVendorRaw : null;
  const subsystemDeviceId = hasSubsystem ? id.subDeviceRaw : null;
  const override = readTrim(fs, `${dir}/driver_override`);
  const group = readLinkBase(fs, `${dir}/iommu_group`);
  const numa = readInt(fs, `${dir}/numa_node`);
  const resetText = fs.readText(`${dir}/reset_method`);
  // Bridges and VFs cannot be SR-IOV physical functions: skip the read.
  const sriov = isBridge || isKnownVf ? null : readSriov(fs, dir);
  if (sriov !== null) for (const vf of sriov.vfs) ctx.vfToPf.set(vf, address);

  return {
    address,
    vendorId: id.vendorId,
    deviceId: id.deviceId,
    subsystemVendorId,
    subsystemDeviceId,
    classId: id.classId,
    revision: readHex(fs, `${dir}/revision`, 2),
    vendorName: names?.vendorName(id.vendorId) ?? null,
    deviceName: names?.deviceName(id.vendorId, id.deviceId) ?? null,
    subsystemName: subsystemVendorId !== null && subsystemDeviceId !== null ? (names?.subsystemName(id.vendorId, id.deviceId, subsystemVendorId, subsystemDeviceId) ?? null) : null,
    className: names?.className(id.classId) ?? null,
    driver: id.driver,
    driverOverride: override === '(null)' ? null : override,
    modules: ctx.aliases?.modulesFor(id.modalias) ?? [],
    iommuGroup: group !== null && /^\d+$/.test(group) ? Number(group) : null,
    numaNode: numa !== null && numa >= 0 ? numa : null,
    parent: PCI_ADDRESS_RE.test(parentComponent) ? parentComponent : null,
    rootBus,
    // A missing file means "no reset method" on kernels that have the attribute (a fact that
    // matters for passthrough), and "unknown" on older ones.
    resetMethods:
      resetText === null
        ? ctx.hasResetMethodFile
          ? []
          : null
        : resetText
            .trim()
            .split(/\s+/)
            .filter((m) => m !== ''),
    sriov,
    physfn: ctx.vfToPf.get(address) ?? null,
    interfaces: ctx.interfaces.get(address) ?? [],
    isBridge,
    bootVga: id.classId.startsWith('03') && readTrim(fs, `${dir}/boot_vga`) === '1',
    // Filled by the scan, which knows the mounts, the display and the routes (probes/host-needs.ts).
    hostNeeds: [],
    acs: readAcs(fs, dir),
  };
}

/**
 * The device's sysfs directory from its bus link, resolved lexically: the kernel's links are
 * relative (`../../../devices/pci0000:00/...`) and lead to real directories, so one readlink
 * replaces a full realpath walk.
 */
function deviceDir(fs: HostFs, link: string): string | null {
  const target = fs.readLink(link);
  if (target === null) return null;
  return path.posix.resolve(path.posix.dirname(link), target);
}

/** Ids, class, driver and modalias from `uevent`, else from the individual attribute files. */
export function readIdentity(fs: HostFs, dir: string): PciIdentity | null {
  const uevent = fs.readText(`${dir}/uevent`);
  if (uevent !== null) {
    const fromUevent = parseUevent(uevent);
    if (fromUevent !== null) return fromUevent;
  }
  const vendorId = readHex(fs, `${dir}/vendor`, 4);
  const deviceId = readHex(fs, `${dir}/device`, 4);
  const classId = readHex(fs, `${dir}/class`, 6);
  if (vendorId === null || deviceId === null || classId === null) return null;
  const subVendorRaw = readHex(fs, `${dir}/subsystem_vendor`, 4) ?? '0000';
  const subDeviceRaw = readHex(fs, `${dir}/subsystem_device`, 4) ?? '0000';
  return {
    vendorId,
    deviceId,
    subVendorRaw,
    subDeviceRaw,
    classId,
    driver: readLinkBase(fs, `${dir}/driver`),
    modalias: readTrim(fs, `${dir}/modalias`) ?? buildModalias(vendorId, deviceId, subVendorRaw, subDeviceRaw, classId),
  };
}

/** Parses a PCI device `uevent` (PCI_ID, PCI_SUBSYS_ID, PCI_CLASS, DRIVER, MODALIAS). */
export function parseUevent(text: string): PciIdentity | null {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const [vendorRaw, deviceRaw] = (env.get('PCI_ID') ?? '').split(':');
  const [subVendorRaw, subDeviceRaw] = (env.get('PCI_SUBSYS_ID') ?? '').split(':');
  const vendorId = normaliseHex(vendorRaw ?? null, 4);
  const deviceId = normaliseHex(deviceRaw ?? null, 4);
  const classId = normaliseHex(env.get('PCI_CLASS') ?? null, 6);
  if (vendorId === null || deviceId === null || classId === null) return null;
  const sv = normaliseHex(subVendorRaw ?? null, 4) ?? '0000';
  const sd = normaliseHex(subDeviceRaw ?? null, 4) ?? '0000';
  return {
    vendorId,
    deviceId,
    subVendorRaw: sv,
    subDeviceRaw: sd,
    classId,
    driver: env.get('DRIVER') || null,
    modalias: env.get('MODALIAS') || buildModalias(vendorId, deviceId, sv, sd, classId),
  };
}

/** The kernel's PCI modalias format (drivers/pci/pci-sysfs.c), for trees that lack the file. */
export function buildModalias(vendor: string, device: string, sv: string, sd: string, classId: string): string {
  const up = (s: string) => s.toUpperCase();
  const pad8 = (s: string) => up(s).padStart(8, '0');
  return `pci:v${pad8(vendor)}d${pad8(device)}sv${pad8(sv)}sd${pad8(sd)}bc${up(classId.slice(0, 2))}sc${up(classId.slice(2, 4))}i${up(classId.slice(4, 6))}`;
}

function readBootRule(fs: HostFs, address: string): SriovInfo['bootRule'] {
  const text = PCI_ADDRESS_RE.test(address) ? fs.readText(sriovRulePath(address)) : null;
  return text === null ? null : parseSriovRule(text);
}

function readSriov(fs: HostFs, dir: string): SriovInfo | null {
  const totalVfs = readInt(fs, `${dir}/sriov_totalvfs`);
  if (totalVfs === null) return null;
  const numVfs = readInt(fs, `${dir}/sriov_numvfs`) ?? 0;
  const vfs: PciAddress[] = [];
  for (let i = 0; i < Math.max(numVfs, 0); i++) {
    const vf = readLinkBase(fs, `${dir}/virtfn${i}`);
    if (vf === null || !PCI_ADDRESS_RE.test(vf)) break;
    vfs.push(vf);
  }
  const autoprobe = readTrim(fs, `${dir}/sriov_drivers_autoprobe`);
  return {
    totalVfs,
    numVfs: Math.max(numVfs, 0),
    vfs,
    driversAutoprobe: autoprobe === '1' ? true : autoprobe === '0' ? false : null,
    // The PF driver's VF table is not in sysfs: scan.ts fills it from iproute2.
    vfSettings: null,
    bootRule: readBootRule(fs, dir.split('/').pop() ?? ''),
  };
}

/**
 * Network interfaces per PCI function, from the /sys/class/net links: a netdev registered
 * directly on the function (`.../0000:01:00.0/net/enp1s0`) or on its virtio child device
 * (`.../0000:00:03.0/virtio2/net/eth0`, where virtio-net puts it). Netdevs of USB adapters
 * and other devices further down do not belong to the PCI function above them.
 */
export function interfacesByFunction(fs: HostFs): Map<PciAddress, string[]> {
  const out = new Map<PciAddress, string[]>();
  for (const name of fs.list('/sys/class/net')) {
    const parts = (fs.readLink(`/sys/class/net/${name}`) ?? '').split('/');
    const at = parts.length - 2;
    if (parts[at] !== 'net' || parts[at + 1] !== name) continue;
    let owner = parts[at - 1] ?? '';
    if (/^virtio\d+$/.test(owner)) owner = parts[at - 2] ?? '';
    if (!PCI_ADDRESS_RE.test(owner)) continue;
    const list = out.get(owner) ?? [];
    list.push(name);
    out.set(owner, list);
  }
  return out;
}

/** Orders addresses numerically by domain, bus, slot, function. */
export function comparePciAddresses(a: string, b: string): number {
  return compareKeys(addressKey(a), addressKey(b));
}

/**
 * `addresses` in {@link comparePciAddresses} order, each address parsed once (not once per
 * comparison: a host has thousands of functions).
 */
export function sortPciAddresses(addresses: readonly string[]): string[] {
  const keyed = addresses.map((address) => ({ address, key: addressKey(address) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.address);
}

function compareKeys(ka: number[], kb: number[]): number {
  for (let i = 0; i < 4; i++) {
    const d = (ka[i] as number) - (kb[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function addressKey(address: string): number[] {
  const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-7])$/i.exec(address);
  if (!m) return [Number.MAX_SAFE_INTEGER, 0, 0, 0];
  return [1, 2, 3, 4].map((i) => Number.parseInt(m[i] as string, 16));
}

/** Whether a release like `6.1.0-56-amd64` is at least major.minor; false when unknown. */
export function kernelAtLeast(release: string | null, major: number, minor: number): boolean {
  const match = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}
