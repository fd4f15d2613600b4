/**
 * Parsers for the independent sources the lab compares `passthru scan --json` with: lspci's
 * two output formats, guest/sysfs-facts.sh and `ip -j`. Deliberately written apart from the
 * probes (no shared code), so a probe bug cannot hide behind the same bug in the check.
 */

export interface LspciKEntry {
  /** "Kernel driver in use", or null when the line is absent. */
  driver: string | null;
  /** "Kernel modules", [] when the line is absent. */
  modules: string[];
}

/** `lspci -D -nn -k`: the human format the issue names for drivers and modules. */
export function parseLspciK(text: string): Map<string, LspciKEntry> {
  const out = new Map<string, LspciKEntry>();
  let current: LspciKEntry | null = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) /.exec(line);
    if (head) {
      current = { driver: null, modules: [] };
      out.set(head[1]!, current);
      continue;
    }
    if (!current) continue;
    const drv = /^\tKernel driver in use: (.+)$/.exec(line);
    if (drv) current.driver = drv[1]!.trim();
    const mods = /^\tKernel modules: (.+)$/.exec(line);
    if (mods)
      current.modules = mods[1]!
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
  }
  return out;
}

export interface NamedId {
  /** null when lspci has no name (it prints "Device [xxxx]" / "Class [xxxx]"). */
  name: string | null;
  id: string;
}

export interface LspciVmmEntry {
  address: string;
  class: NamedId;
  vendor: NamedId;
  device: NamedId;
  subsystemVendor: NamedId | null;
  subsystemDevice: NamedId | null;
  /** Two hex digits; lspci omits Rev when it is 00. */
  revision: string;
  progIf: string;
}

function namedId(value: string, placeholder: string): NamedId {
  const m = /^(.*) \[([0-9a-f]{4})\]$/.exec(value.trim());
  if (!m) throw new Error(`lspci -vmm -nn: cannot parse "${value}"`);
  const name = m[1]!;
  return { id: m[2]!, name: name === placeholder || name === `${placeholder} ${m[2]}` ? null : name };
}

/** `lspci -D -vmm -nn`: ids and names, one record per blank-line-separated block. */
export function parseLspciVmm(text: string): Map<string, LspciVmmEntry> {
  const out = new Map<string, LspciVmmEntry>();
  for (const block of text.split(/\n\s*\n/)) {
    const f = new Map<string, string>();
    for (const line of block.split('\n')) {
      const m = /^(\w+):\t(.*)$/.exec(line);
      if (m && !f.has(m[1]!)) f.set(m[1]!, m[2]!);
    }
    const slot = f.get('Slot');
    if (!slot) continue;
    const cls = f.get('Class')!;
    const sv = f.get('SVendor');
    const sd = f.get('SDevice');
    out.set(slot, {
      address: slot,
      class: namedId(cls, 'Class'),
      vendor: namedId(f.get('Vendor')!, 'Vendor'),
      device: namedId(f.get('Device')!, 'Device'),
      subsystemVendor: sv ? namedId(sv, 'Vendor') : null,
      subsystemDevice: sd ? namedId(sd, 'Device') : null,
      revision: f.get('Rev') ?? '00',
      progIf: f.get('ProgIf') ?? '00',
    });
  }
  return out;
}

export interface SysfsFacts {
  devices: Map<string, { parent: string | null; driver: string | null }>;
  sriov: Map<string, { totalVfs: number; numVfs: number }>;
  /** PF → VF addresses in virtfn index order. */
  virtfns: Map<string, string[]>;
  physfn: Map<string, string>;
  /** group id → member addresses (sorted). */
  groups: Map<number, string[]>;
  iommuUnits: string[];
  /** interface → PCI function (null for virtual interfaces). */
  ifaceDevice: Map<string, string | null>;
  /** device → attribute → raw value, null when the file is absent. */
  attrs: Map<string, Map<string, string | null>>;
  ifaceAttrs: Map<string, { operstate: string; speed: string | null; pfInterface: string | null }>;
}

/** Output of guest/sysfs-facts.sh. */
export function parseSysfsFacts(text: string): SysfsFacts {
  const facts: SysfsFacts = {
    devices: new Map(),
    sriov: new Map(),
    virtfns: new Map(),
    physfn: new Map(),
    groups: new Map(),
    iommuUnits: [],
    ifaceDevice: new Map(),
    attrs: new Map(),
    ifaceAttrs: new Map(),
  };
  const vfIndex = new Map<string, [number, string][]>();
  const dash = (s: string | undefined): string | null => (s === undefined || s === '-' ? null : s);
  for (const line of text.split('\n')) {
    const [kind, a = '', b, c, d] = line.split('\t');
    switch (kind) {
      case 'dev':
        facts.devices.set(a, { parent: dash(b), driver: dash(c) });
        break;
      case 'sriov':
        facts.sriov.set(a, { totalVfs: Number(b), numVfs: Number(c) });
        break;
      case 'virtfn':
        vfIndex.set(a, [...(vfIndex.get(a) ?? []), [Number(b), c!]]);
        break;
      case 'physfn':
        facts.physfn.set(a, b!);
        break;
      case 'group':
        facts.groups.set(Number(a), [...(facts.groups.get(Number(a)) ?? []), b!].sort());
        break;
      case 'iommu':
        facts.iommuUnits.push(a);
        break;
      case 'ifdev':
        facts.ifaceDevice.set(a, dash(b));
        break;
      case 'attr': {
        const m = facts.attrs.get(a) ?? new Map<string, string | null>();
        m.set(b!, dash(c));
        facts.attrs.set(a, m);
        break;
      }
      case 'ifattr':
        facts.ifaceAttrs.set(a, { operstate: b!, speed: dash(c), pfInterface: dash(d) });
        break;
    }
  }
  for (const [pf, list] of vfIndex)
    facts.virtfns.set(
      pf,
      list.sort((x, y) => x[0] - y[0]).map((x) => x[1]),
    );
  return facts;
}

export interface IpRoute {
  dst: string;
  dev?: string;
  gateway?: string;
}

export interface IpLink {
  ifname: string;
  address?: string;
  mtu?: number;
  operstate?: string;
  addr_info?: { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope?: string }[];
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${what}: not JSON (${(e as Error).message}): ${text.slice(0, 200)}`, { cause: e });
  }
}
