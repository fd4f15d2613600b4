/**
 * Input validation for the planning side. Addresses and driver names end up in sysfs paths and
 * in `echo ... >` lines a user may copy, so anything but the exact expected shape is refused
 * before it reaches a plan (for example `0000:01:00.0/../../etc`, slot 0x20, `vfio-pci\nnvme`).
 */
import { PassthruError } from '../../../shared/errors';
import type { HostScan, PciDevice } from '../../../shared/model';

const FULL = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-9a-f])$/;
const SHORT = /^([0-9a-f]{2}):([0-9a-f]{2})\.([0-9a-f])$/;

/** Normalises a PCI address to the full lowercase `DDDD:BB:SS.F` form, or throws BAD_INPUT. */
export function parsePciAddress(input: string): string {
  const shown = JSON.stringify(input);
  const bad = (why: string): PassthruError =>
    new PassthruError('BAD_INPUT', `${shown} is not a PCI address: ${why}.`, 'Give an address as printed by `lspci -D`, e.g. 0000:01:00.0 (or 01:00.0).');
  if (typeof input !== 'string' || input === '') throw bad('it is empty');
  const lower = input.toLowerCase();
  const m = FULL.exec(lower) ?? SHORT.exec(lower);
  if (!m) throw bad('expected DDDD:BB:SS.F');
  const full = m.length === 5 ? lower : `0000:${lower}`;
  const [, , , slot, fn] = FULL.exec(full) as RegExpExecArray;
  if (parseInt(slot as string, 16) > 0x1f) throw bad(`slot ${slot} is above 1f`);
  if (parseInt(fn as string, 16) > 7) throw bad(`function ${fn} is above 7`);
  return full;
}

/** Checks a driver name is a plain kernel driver name from the allowlist, or throws BAD_INPUT. */
export function validateDriverName(name: string, allowed: readonly string[]): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new PassthruError('BAD_INPUT', `${JSON.stringify(name)} is not a driver name.`, 'Driver names are letters, digits, "-" and "_" only.');
  }
  if (!allowed.includes(name)) {
    throw new PassthruError('BAD_INPUT', `Driver ${name} is not one Passthru may bind.`, `Allowed here: ${allowed.join(', ') || 'none'}.`);
  }
  return name;
}

/** The allowlist for one device: the VFIO drivers plus the driver recorded before the change. */
export function allowedDrivers(original: string | null | undefined): string[] {
  const list = ['vfio-pci', 'pci-stub'];
  if (original && !list.includes(original)) list.push(original);
  return list;
}

/** The scanned device at `address` (any accepted form), or BAD_INPUT naming it. */
export function resolveDevice(scan: HostScan, address: string): PciDevice {
  const full = parsePciAddress(address);
  const dev = scan.devices.find((d) => d.address === full);
  if (!dev) {
    throw new PassthruError('BAD_INPUT', `No PCI device ${full} on this host.`, 'List the devices with `passthru scan` (or `lspci -D`) and pick one of those addresses.');
  }
  return dev;
}
