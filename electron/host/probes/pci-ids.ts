import type { HostFs } from '../fs/host-fs';

/** Where distributions put the PCI ID database, in the order `lspci` builds commonly use. */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids'] as const;

/** A located entry: its name and the span of its nested lines. */
interface Entry {
  name: string;
  /** Offset of the newline ending the entry's own line. */
  bodyStart: number;
  /** Offset of the newline starting the next entry at the same or an outer level. */
  bodyEnd: number;
}

/** A line at nesting level 0 (not a comment, not blank) starts the next top-level entry. */
const TOP_LEVEL = /\n[^\t#\s]/g;
/**
 * The id of a top-level line (not nested, not a comment): a vendor id, or `C xx` / `S xxxx`;
 * then whether a space or tab follows it.
 */
const TOP_LEVEL_ID = /\n((?:[CS] )?[^\s#][^ \t\r\n]*)([ \t])?/g;
/** A line at nesting level 1 starts the next device (or subclass). */
const LEVEL_ONE = /\n\t[^\t]/g;

/**
 * Name lookups in the system's pci.ids, the same file and the same rules as `lspci -nn`.
 * The file is ~1.3 MB with ~36k lines: nothing is parsed up front; each lookup is a string
 * search inside the block of the entry asked for, and located blocks are remembered.
 */
export class PciIds {
  private readonly text: string;
  private readonly tops = new Map<string, Entry | null>();
  private readonly nested = new Map<string, Entry | null>();
  /** Subsystem and class names by their ids: a big host repeats a few ids thousands of times. */
  private readonly names = new Map<string, string | null>();
  /**
   * Offsets of the top-level lines by id (`8086`, `C 02`, `S 8086`), built on first use: a
   * lookup of an id that is not listed (a subsystem vendor without a generic `S` block) would
   * otherwise search the whole file, and a class (`C …`) sits at its end.
   */
  private topIndex: { spaced: Map<string, number>; bare: Map<string, number> } | null = null;

  constructor(text: string) {
    // A leading newline lets every line be found as "\n<id>".
    this.text = text.startsWith('\n') ? text : `\n${text}`;
  }

  vendorName(vendorId: string): string | null {
    return this.top(vendorId)?.name ?? null;
  }

  deviceName(vendorId: string, deviceId: string): string | null {
    return this.device(vendorId, deviceId)?.name ?? null;
  }

  /**
   * The subsystem's own name, looked up as lspci does: the device's subsystem entry, then a
   * generic `S` block entry, then — when subsystem ids equal the device ids — the device name.
   */
  subsystemDeviceName(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string | null {
    return this.memo(`s ${vendorId} ${deviceId} ${subVendorId} ${subDeviceId}`, () => this.lookUpSubsystem(vendorId, deviceId, subVendorId, subDeviceId));
  }

  private lookUpSubsystem(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string | null {
    const dev = this.device(vendorId, deviceId);
    if (dev !== null) {
      const own = this.find(`\n\t\t${subVendorId} ${subDeviceId}`, dev.bodyStart, dev.bodyEnd);
      if (own !== null) return own;
    }
    const generic = this.top(`S ${subVendorId}`);
    if (generic !== null) {
      const name = this.find(`\n\t${subDeviceId}`, generic.bodyStart, generic.bodyEnd);
      if (name !== null) return name;
    }
    if (vendorId === subVendorId && deviceId === subDeviceId) return this.deviceName(vendorId, deviceId);
    return null;
  }

  /**
   * What lspci prints after "Subsystem:" (without ids): subsystem vendor and device names, or
   * just the subsystem vendor's name when the subsystem itself is not listed; null when the
   * subsystem vendor is unknown.
   */
  subsystemName(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string | null {
    const vendor = this.vendorName(subVendorId);
    if (vendor === null) return null;
    const device = this.subsystemDeviceName(vendorId, deviceId, subVendorId, subDeviceId);
    return device === null ? vendor : `${vendor} ${device}`;
  }

  /** Subclass name when listed, else the class name (`lspci -nn` "Class" text); 6 hex digits in. */
  className(classId: string): string | null {
    return this.memo(`c ${classId}`, () => {
      const cls = this.top(`C ${classId.slice(0, 2)}`);
      if (cls === null) return null;
      return this.find(`\n\t${classId.slice(2, 4)}`, cls.bodyStart, cls.bodyEnd) ?? cls.name;
    });
  }

  private memo(key: string, look: () => string | null): string | null {
    let name = this.names.get(key);
    if (name === undefined) this.names.set(key, (name = look()));
    return name;
  }

  private device(vendorId: string, deviceId: string): Entry | null {
    const key = `${vendorId} ${deviceId}`;
    let entry = this.nested.get(key);
    if (entry !== undefined) return entry;
    entry = null;
    const vendor = this.top(vendorId);
    if (vendor !== null) {
      const at = this.locate(`\n\t${deviceId}`, vendor.bodyStart, vendor.bodyEnd);
      if (at !== -1) entry = this.entryAt(at, `\n\t${deviceId}`.length, LEVEL_ONE, vendor.bodyEnd);
    }
    this.nested.set(key, entry);
    return entry;
  }

  /** A top-level entry: vendor `8086`, class `C 02`, generic subsystem block `S 8086`. */
  private top(key: string): Entry | null {
    let entry = this.tops.get(key);
    if (entry !== undefined) return entry;
    const at = this.locateTop(key, key.startsWith('S '));
    entry = at === -1 ? null : this.entryAt(at, key.length + 1, TOP_LEVEL, this.text.length);
    this.tops.set(key, entry);
    return entry;
  }

  /**
   * What `locate("\n" + key, 0, end, bareOk)` answers — the first top-level line whose id is
   * `key` followed by a space or tab (or, when allowed, the end of the line) — from one pass
   * over the top-level lines instead of one search of the file per id.
   */
  private locateTop(key: string, bareOk: boolean): number {
    const index = (this.topIndex ??= this.indexTopLevel());
    const spaced = index.spaced.get(key) ?? -1;
    const bare = bareOk ? (index.bare.get(key) ?? -1) : -1;
    return spaced === -1 ? bare : bare === -1 ? spaced : Math.min(spaced, bare);
  }

  private indexTopLevel(): { spaced: Map<string, number>; bare: Map<string, number> } {
    const spaced = new Map<string, number>();
    const bare = new Map<string, number>();
    TOP_LEVEL_ID.lastIndex = 0;
    for (let m = TOP_LEVEL_ID.exec(this.text); m !== null; m = TOP_LEVEL_ID.exec(this.text)) {
      const map = m[2] ? spaced : bare;
      if (!map.has(m[1] as string)) map.set(m[1] as string, m.index);
    }
    return { spaced, bare };
  }

  /** The entry whose line starts at `at` (its newline), its body ending at the next `boundary`. */
  private entryAt(at: number, idLength: number, boundary: RegExp, limit: number): Entry {
    const lineEnd = this.lineEnd(at + 1);
    boundary.lastIndex = lineEnd;
    const next = boundary.exec(this.text);
    return {
      name: this.text.slice(at + idLength, lineEnd).trim(),
      bodyStart: lineEnd,
      bodyEnd: next === null ? limit : Math.min(next.index, limit),
    };
  }

  /** Name on the line starting with `needle` + whitespace within [from, to), or null. */
  private find(needle: string, from: number, to: number): string | null {
    const at = this.locate(needle, from, to);
    return at === -1 ? null : this.text.slice(at + needle.length, this.lineEnd(at + 1)).trim() || null;
  }

  /** Offset of `needle` followed by a space or tab (or end of line when allowed) within [from, to). */
  private locate(needle: string, from: number, to: number, bareOk = false): number {
    let at = this.text.indexOf(needle, from);
    while (at !== -1 && at < to) {
      const after = this.text.charAt(at + needle.length);
      if (after === ' ' || after === '\t' || (bareOk && (after === '\n' || after === '\r' || after === ''))) return at;
      at = this.text.indexOf(needle, at + 1);
    }
    return -1;
  }

  private lineEnd(from: number): number {
    const nl = this.text.indexOf('\n', from);
    return nl === -1 ? this.text.length : nl;
  }
}

/**
 * The index of the last pci.ids text seen. A long-lived service reads the same text object
 * scan after scan (fs/reference-file-cache.ts), so the index it built, and the names it looked
 * up, are used again instead of searching 1.3 MB anew; a different text gets a new index.
 */
let lastIds: { text: string; ids: PciIds } | null = null;

/** The system's pci.ids (hwdata first, then misc), or null when neither exists. */
export function loadPciIds(fs: HostFs): PciIds | null {
  for (const p of PCI_IDS_PATHS) {
    const text = fs.readText(p);
    if (text === null) continue;
    if (lastIds?.text !== text) lastIds = { text, ids: new PciIds(text) };
    return lastIds.ids;
  }
  return null;
}
