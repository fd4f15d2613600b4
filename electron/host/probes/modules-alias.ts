import type { HostFs } from '../fs/host-fs';
import { fnmatch } from './fnmatch';
import { kernelRelease, modulesDir } from './sysfs-read';

const NEEDLE = '\nalias pci:';
/** Offset of the vendor digits from the start of an `alias pci:v...` line. */
const VENDOR_AT = 'alias pci:v'.length;

/**
 * The PCI part of `modules.alias`, answering "which kernel modules could drive this device",
 * the "Kernel modules:" line of `lspci -k`. Built for thousands of devices against ~9,000
 * patterns: one cheap pass files each line's offset under the literal part of its pattern
 * (`VVVVVVVVDDDDDDDD` when vendor and device are fixed, `VVVVVVVV` when only the vendor is,
 * `*` otherwise); a device then only tries the lines of its three buckets, parsed on demand.
 */
export class PciAliasIndex {
  private readonly src: string;
  private readonly buckets = new Map<string, number[]>();
  /** Results per modalias: the VFs of one PF all share one. */
  private readonly memo = new Map<string, string[]>();

  constructor(modulesAliasText: string) {
    // A leading newline lets the first line be found like every other one.
    this.src = `\n${modulesAliasText}`;
    const src = this.src;
    let at = src.indexOf(NEEDLE);
    while (at !== -1) {
      const start = at + 1;
      let key = '*';
      if (src.charCodeAt(start + VENDOR_AT - 1) === 0x76 /* v */ && isHex8(src, start + VENDOR_AT)) {
        key = src.slice(start + VENDOR_AT, start + VENDOR_AT + 8);
        const dAt = start + VENDOR_AT + 9;
        if (src.charCodeAt(dAt - 1) === 0x64 /* d */ && isHex8(src, dAt)) key += src.slice(dAt, dAt + 8);
      }
      let bucket = this.buckets.get(key);
      if (bucket === undefined) this.buckets.set(key, (bucket = []));
      bucket.push(start);
      at = src.indexOf(NEEDLE, start);
    }
  }

  /** Module names whose aliases match `modalias` (e.g. `pci:v00008086d000010C9sv...`), in file order. */
  modulesFor(modalias: string): string[] {
    if (!modalias.startsWith('pci:v')) return [];
    const cached = this.memo.get(modalias);
    if (cached !== undefined) return [...cached];
    const vendor = modalias.slice(5, 13);
    const device = modalias.slice(14, 22);
    const offsets = [...(this.buckets.get(vendor + device) ?? []), ...(this.buckets.get(vendor) ?? []), ...(this.buckets.get('*') ?? [])].sort((a, b) => a - b);
    const out: string[] = [];
    for (const start of offsets) {
      const line = this.line(start);
      if (line !== null && !out.includes(line.module) && fnmatch(line.pattern, modalias)) out.push(line.module);
    }
    this.memo.set(modalias, out);
    return [...out];
  }

  /** `alias <pattern> <module>` at `start`, or null when malformed. */
  private line(start: number): { pattern: string; module: string } | null {
    const end = this.src.indexOf('\n', start);
    const parts = this.src
      .slice(start, end === -1 ? undefined : end)
      .trim()
      .split(/\s+/);
    return parts.length >= 3 ? { pattern: parts[1] as string, module: parts[2] as string } : null;
  }
}

/** Eight uppercase hex digits (depmod writes ids upper case; anything else is a glob). */
function isHex8(s: string, at: number): boolean {
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return false;
  }
  return true;
}

/**
 * The index of the last modules.alias text seen: as for pci.ids (loadPciIds), a long-lived
 * service hands the same text again while the file is unchanged, and indexing a megabyte of
 * aliases is most of what this probe costs.
 */
let lastIndex: { text: string; index: PciAliasIndex } | null = null;

/** The alias index of the running kernel (/lib/modules/<osrelease>/modules.alias), or null. */
export function loadPciAliases(fs: HostFs): PciAliasIndex | null {
  const dir = modulesDir(fs, kernelRelease(fs));
  if (dir === null) return null;
  const text = fs.readText(`${dir}/modules.alias`);
  if (text === null) return null;
  if (lastIndex?.text !== text) lastIndex = { text, index: new PciAliasIndex(text) };
  return lastIndex.index;
}
