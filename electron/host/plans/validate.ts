/**
 * Input validation for the planning side. Addresses and driver names end up in sysfs paths and
 * in `echo ... >` lines a user may copy, so anything but the exact expected shape is refused
 * before it reaches a plan (for example `0000:01:00.0/../../etc`, slot 0x20, `vfio-pci\nnvme`).
 */
import { PassthruError } from '#shared/errors';
import type { HostScan, PciDevice } from '#shared/model';
import { parsePciAddress } from '#shared/pci-address';

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
