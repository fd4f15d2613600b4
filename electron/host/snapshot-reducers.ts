import type { HostScan, PciDevice } from '#shared/model';
import { firstProcessorBlock } from './probes/cpuinfo';
import { fnmatch } from './probes/fnmatch';
import { buildModalias } from './probes/pci-devices';

/**
 * Shrinks the big files a snapshot captures to what the scan actually used, so a snapshot
 * attached to a bug report is kilobytes, not megabytes — while re-scanning it gives exactly the
 * same result. `path` is where the file is written in the snapshot (the canonical path).
 */
export function reduceForSnapshot(path: string, content: string, scan: HostScan): string {
  if (/(^|\/)pci\.ids$/.test(path)) return reducePciIds(content, scan.devices);
  if (/\/modules\/[^/]+\/modules\.alias$/.test(path)) return reduceModulesAlias(content, scan.devices);
  if (/\/modules\/[^/]+\/modules\.(dep|builtin)$/.test(path)) return reduceToVfio(content);
  if (path === '/proc/cpuinfo') return firstProcessorBlock(content);
  return content;
}

/**
 * Keeps, in their original order, only the pci.ids lines the devices are looked up by: their
 * vendors and subsystem vendors, their devices and subsystems, their classes and subclasses.
 */
export function reducePciIds(content: string, devices: PciDevice[]): string {
  const vendors = new Set<string>();
  const deviceKeys = new Set<string>();
  const subsystemKeys = new Set<string>();
  const genericKeys = new Set<string>();
  const classes = new Set<string>();
  const subclasses = new Set<string>();
  for (const d of devices) {
    vendors.add(d.vendorId);
    deviceKeys.add(`${d.vendorId} ${d.deviceId}`);
    classes.add(d.classId.slice(0, 2));
    subclasses.add(`${d.classId.slice(0, 2)} ${d.classId.slice(2, 4)}`);
    if (d.subsystemVendorId !== null && d.subsystemDeviceId !== null) {
      vendors.add(d.subsystemVendorId);
      subsystemKeys.add(`${d.vendorId} ${d.deviceId} ${d.subsystemVendorId} ${d.subsystemDeviceId}`);
      genericKeys.add(`${d.subsystemVendorId} ${d.subsystemDeviceId}`);
    }
  }
  const out = ['# pci.ids reduced by passthru snapshot: only the entries of the devices present.'];
  let top: { kind: 'vendor' | 'class' | 'generic' | 'other'; id: string; kept: boolean } = {
    kind: 'other',
    id: '',
    kept: false,
  };
  let level1 = { id: '', kept: false };
  for (const raw of content.split('\n')) {
    const line = raw.replace(/[\r \t]+$/, '');
    const body = line.replace(/^[ \t]+/, '');
    if (body === '' || body.startsWith('#')) continue;
    let nest = 0;
    while (line.charCodeAt(nest) === 9) nest++;
    const id = (body.split(/[ \t]/)[0] ?? '').toLowerCase();
    if (nest === 0) {
      level1 = { id: '', kept: false };
      if (body.startsWith('C ')) top = { kind: 'class', id: body.slice(2, 4).toLowerCase(), kept: false };
      else if (body.startsWith('S ')) top = { kind: 'generic', id: body.slice(2, 6).toLowerCase(), kept: false };
      else if (/^[0-9a-fA-F]{4}[ \t]/.test(body)) top = { kind: 'vendor', id, kept: false };
      else top = { kind: 'other', id: '', kept: false };
      top.kept = (top.kind === 'vendor' && vendors.has(top.id)) || (top.kind === 'class' && classes.has(top.id)) || (top.kind === 'generic' && vendors.has(top.id));
      if (top.kept) out.push(line);
      continue;
    }
    if (!top.kept) continue;
    if (nest === 1) {
      const key = `${top.id} ${id}`;
      const kept = (top.kind === 'vendor' && deviceKeys.has(key)) || (top.kind === 'class' && subclasses.has(key)) || (top.kind === 'generic' && genericKeys.has(key));
      level1 = { id, kept };
      if (kept) out.push(line);
    } else if (nest === 2 && top.kind === 'vendor' && level1.kept) {
      const sub = body
        .split(/[ \t]+/)
        .slice(0, 2)
        .join(' ')
        .toLowerCase();
      if (subsystemKeys.has(`${top.id} ${level1.id} ${sub}`)) out.push(line);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Keeps the `alias pci:` lines that match one of the devices, in their original order, so
 * every device gets the same modules back in the same order. A device whose subsystem the
 * scan shows as null (0000 or ffff on the host) is matched with the subsystem part ignored —
 * a superset, which re-scans identically because the device's real modalias is unchanged.
 */
export function reduceModulesAlias(content: string, devices: PciDevice[]): string {
  const byModule = new Map<string, PciDevice[]>();
  for (const d of devices) {
    for (const m of d.modules) {
      let list = byModule.get(m);
      if (list === undefined) byModule.set(m, (list = []));
      list.push(d);
    }
  }
  const out = ['# modules.alias reduced by passthru snapshot: only aliases matching the devices present.'];
  for (const line of content.split('\n')) {
    if (!line.startsWith('alias pci:')) continue;
    const [, pattern, module] = line.trim().split(/\s+/);
    if (pattern === undefined || module === undefined) continue;
    const candidates = byModule.get(module);
    if (candidates !== undefined && candidates.some((d) => aliasMayMatch(pattern, d))) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

function aliasMayMatch(pattern: string, d: PciDevice): boolean {
  if (d.subsystemVendorId !== null && d.subsystemDeviceId !== null) {
    return fnmatch(pattern, buildModalias(d.vendorId, d.deviceId, d.subsystemVendorId, d.subsystemDeviceId, d.classId));
  }
  const anySubsystem = pattern.replace(/sv.*?sd.*?bc/, 'sv*sd*bc');
  return fnmatch(anySubsystem, buildModalias(d.vendorId, d.deviceId, '0000', '0000', d.classId));
}

/** modules.dep / modules.builtin: only the entries of VFIO modules (all the scan looks for). */
export function reduceToVfio(content: string): string {
  const kept = content.split('\n').filter((line) => (line.split(/\s+/)[0] ?? '').includes('vfio'));
  return kept.length > 0 ? `${kept.join('\n')}\n` : '';
}
