/**
 * The names a VM brings with it — its own, its NICs' MACs, its taps' — and the patterns they
 * are checked against. Kept apart from shared/vm.ts (the zod schema) so the pkexec helper,
 * which only needs the tap name pattern, does not carry zod.
 */
import { PassthruError } from './errors';
import type { VmNic } from './vm';
import { PCI_ADDRESS } from './pci-address';

/** A VM name: also a file name, a qemu `-name` and part of the tap name, so kept plain. */
export const VM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Full PCI address, as the scan reports it. */
/** The one PCI address rule (shared/pci-address.ts), under the name the VM schemas use. */
export const PCI_ADDRESS_PATTERN = PCI_ADDRESS;

/** Linux interface name rules (IFNAMSIZ 16 with the NUL; no '/', ':' or whitespace). */
export const IFNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** FNV-1a 32-bit: tiny, deterministic, no crypto module needed in shared code. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0').slice(-digits);
}

/**
 * The MAC of NIC `index` of VM `name` when the profile gives none: locally administered
 * unicast (first octet 02), stable across restarts so the guest keeps its DHCP lease and
 * interface name, and different per VM and per NIC.
 */
export function derivedVmMac(name: string, index: number): string {
  const a = fnv1a(`${name}#${index}`);
  const b = fnv1a(`${index}#${name}`);
  const bytes = [0x02, (a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, b & 0xff];
  return bytes.map((x) => hex(x, 2)).join(':');
}

/**
 * The tap device for bridge NIC `index`: derived from the name (≤ 15 chars, IFNAMSIZ) so a
 * fresh process finds and removes it, hashed so two long names with a common prefix differ.
 */
export const VM_TAP_PATTERN = /^pt[0-9a-f]{8}n[0-9]{1,2}$/;

export function vmTapName(name: string, index: number): string {
  return `pt${hex(fnv1a(name), 8)}n${index}`.slice(0, 15);
}

/** The name, or BAD_INPUT in words. */
export function checkVmName(name: string): string {
  if (!VM_NAME_PATTERN.test(name)) {
    throw new PassthruError(
      'BAD_INPUT',
      `${JSON.stringify(name)} is not a valid VM name.`,
      'Use 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    );
  }
  return name;
}

/** The MAC a virtio NIC gets: the profile's, or the derived one. */
export function nicMac(name: string, nic: VmNic, index: number): string | null {
  if (nic.kind === 'passthrough') return null;
  return nic.mac ?? derivedVmMac(name, index);
}
