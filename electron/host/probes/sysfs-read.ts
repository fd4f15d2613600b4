import type { HostFs } from '../fs/host-fs';

/**
 * Small typed readers for sysfs/procfs attribute files. Every one returns null instead of
 * throwing: a missing or unreadable attribute is normal (older kernels, absent features).
 */

/** Trimmed file content; null when missing, unreadable or empty. */
export function readTrim(fs: HostFs, path: string): string | null {
  const text = fs.readText(path);
  if (text === null) return null;
  const t = text.trim();
  return t === '' ? null : t;
}

/** A `0x8086`-style attribute as exactly `digits` lowercase hex digits; null when malformed. */
export function readHex(fs: HostFs, path: string, digits: number): string | null {
  return normaliseHex(readTrim(fs, path), digits);
}

export function normaliseHex(raw: string | null, digits: number): string | null {
  if (raw === null) return null;
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(raw);
  if (!m) return null;
  const hex = (m[1] as string).toLowerCase().replace(/^0+(?=.)/, '');
  return hex.length > digits ? null : hex.padStart(digits, '0');
}

/** A decimal integer attribute; null when missing or not a number. */
export function readInt(fs: HostFs, path: string): number | null {
  const t = readTrim(fs, path);
  if (t === null || !/^-?\d+$/.test(t)) return null;
  return Number.parseInt(t, 10);
}

/** The last path component of a symlink's target (driver name, group number, address). */
export function readLinkBase(fs: HostFs, path: string): string | null {
  const target = fs.readLink(path);
  if (target === null) return null;
  const base = target.replace(/\/+$/, '').split('/').pop();
  return base === undefined || base === '' ? null : base;
}

/** Kernel release from /proc/sys/kernel/osrelease (what `uname -r` prints). */
export function kernelRelease(fs: HostFs): string | null {
  return readTrim(fs, '/proc/sys/kernel/osrelease');
}

/**
 * The module directory of a kernel release. /lib/modules first (it is /usr/lib/modules on
 * merged-/usr systems through the /lib link), then /usr/lib/modules for split layouts.
 */
export function modulesDir(fs: HostFs, release: string | null): string | null {
  if (release === null || release.includes('/')) return null;
  for (const base of ['/lib/modules', '/usr/lib/modules']) {
    const dir = `${base}/${release}`;
    if (fs.isDirectory(dir)) return dir;
  }
  return null;
}

/** Full PCI address `0000:00:02.0` (domains may be wider than 4 digits behind VMD). */
export const PCI_ADDRESS_RE = /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Root bus directory in /sys/devices, e.g. `pci0000:00`. */
export const ROOT_BUS_RE = /^pci[0-9a-f]{4,8}:[0-9a-f]{2}$/;
