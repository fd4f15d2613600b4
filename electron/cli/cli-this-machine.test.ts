/**
 * The scan of THIS machine must match `lspci -nnk` device for device: lspci is the reference
 * users trust, so the scan is held to it. pciutils is a test dependency (.ci installs it): when
 * lspci is missing this fails loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli, runCli, type BuiltCli } from './testing/cli-test-support';
import { makeTempRoot } from '../host/testing/network-test-tree';
import { checkScanContract } from '../host/scan-contract';
import type { HostScan, PciDevice } from '#shared/model';

let cli: BuiltCli;
let live: HostScan;
let tmp: string;

beforeAll(async () => {
  cli = await buildCli();
  tmp = makeTempRoot('passthru-live-');
  const r = runCli(cli, ['scan', '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  live = JSON.parse(r.stdout) as HostScan;
}, 60_000);

afterAll(() => {
  cli?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function lspci(args: string[]): string {
  const r = spawnSync('lspci', args, { encoding: 'utf8' });
  if (r.error) {
    throw new Error(`lspci could not run (${r.error.message}): install pciutils (apt-get install pciutils); this test must not be skipped.`);
  }
  if (r.status !== 0) throw new Error(`lspci ${args.join(' ')} failed with status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface LspciDevice {
  address: string;
  line: string;
  subsystem: string | null;
  driver: string | null;
  modules: string[] | null;
}

/** Blocks of `lspci -D -nnk`: the device line and its tab-indented details. */
function parseNnk(text: string): LspciDevice[] {
  const devices: LspciDevice[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    if (!raw.startsWith('\t')) {
      devices.push({ address: raw.split(' ')[0] as string, line: raw, subsystem: null, driver: null, modules: null });
      continue;
    }
    const d = devices[devices.length - 1];
    const [key, value] = raw.trim().split(/: (.*)/s) as [string, string];
    if (!d) continue;
    if (key === 'Subsystem') d.subsystem = value;
    if (key === 'Kernel driver in use') d.driver = value;
    if (key === 'Kernel modules') d.modules = value.split(', ');
  }
  return devices;
}

/** `lspci -D -vmm -nn -k` records: names and ids as separate fields. */
function parseVmm(text: string): Map<string, Record<string, string>> {
  const records = new Map<string, Record<string, string>>();
  for (const block of text.split('\n\n')) {
    const rec: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) rec[line.slice(0, tab - 1)] = line.slice(tab + 1);
    }
    if (rec.Slot) records.set(rec.Slot, rec);
  }
  return records;
}

/** The device line lspci -nn prints, rebuilt from our scan (pciutils' naming of unknowns). */
function nnkLine(d: PciDevice): string {
  const cls = `${d.className ?? 'Class'} [${d.classId.slice(0, 4)}]`;
  const names = d.vendorName ? `${d.vendorName} ${d.deviceName ?? 'Device'}` : 'Device';
  const rev = d.revision && d.revision !== '00' ? ` (rev ${d.revision})` : '';
  return `${d.address} ${cls}: ${names} [${d.vendorId}:${d.deviceId}]${rev}`;
}

/** `Name [id]` → [name or null when lspci fell back to a placeholder, id]. */
function nameAndId(value: string | undefined): [string | null, string | null] {
  if (value === undefined) return [null, null];
  const m = /^(.*) \[([0-9a-f]+)\]$/.exec(value);
  if (!m) return [value, null];
  const name = m[1] as string;
  return [/^(Device|Class|Unknown vendor)$/.test(name) ? null : name, m[2] as string];
}

describe('passthru scan --json of this machine', () => {
  it('conforms to the contract', () => {
    expect(checkScanContract(live)).toEqual([]);
    expect(live.source).toEqual({ kind: 'live', root: '/', capturedAt: null, hostname: null });
  });

  it('matches `lspci -D -nnk` device for device: line, subsystem, driver, modules', () => {
    const theirs = parseNnk(lspci(['-D', '-nnk']));
    expect(live.devices.map((d) => d.address)).toEqual(theirs.map((d) => d.address));
    for (const [i, l] of theirs.entries()) {
      const ours = live.devices[i] as PciDevice;
      expect(nnkLine(ours), l.address).toBe(l.line);
      expect(ours.driver, `${l.address} driver`).toBe(l.driver);
      if (l.subsystem !== null) {
        expect(l.subsystem.endsWith(`[${ours.subsystemVendorId}:${ours.subsystemDeviceId}]`), `${l.address} subsystem`).toBe(true);
        // subsystemName is the whole "Subsystem:" text (vendor and name) when pci.ids knows it.
        if (ours.subsystemName !== null) {
          expect(l.subsystem, `${l.address} subsystem`).toBe(`${ours.subsystemName} [${ours.subsystemVendorId}:${ours.subsystemDeviceId}]`);
        }
      } else {
        expect(ours.subsystemVendorId, `${l.address} has no subsystem`).toBeNull();
      }
      // lspci prints modules only when libkmod finds them; then they must agree.
      if (l.modules !== null) expect(ours.modules, `${l.address} modules`).toEqual(l.modules);
    }
  });

  it('matches `lspci -D -vmm -nnk` field by field: class, vendor, device, subsystem ids, revision, prog-if', () => {
    const theirs = parseVmm(lspci(['-D', '-vmm', '-nn', '-k']));
    expect([...theirs.keys()]).toEqual(live.devices.map((d) => d.address));
    for (const d of live.devices) {
      const r = theirs.get(d.address) as Record<string, string>;
      const at = d.address;
      expect(nameAndId(r.Class), `${at} class`).toEqual([d.className, d.classId.slice(0, 4)]);
      expect(nameAndId(r.Vendor), `${at} vendor`).toEqual([d.vendorName, d.vendorId]);
      expect(nameAndId(r.Device), `${at} device`).toEqual([d.deviceName, d.deviceId]);
      expect(nameAndId(r.SVendor)[1], `${at} subsystem vendor`).toBe(d.subsystemVendorId);
      expect(nameAndId(r.SDevice)[1], `${at} subsystem device`).toBe(d.subsystemDeviceId);
      expect(r.Rev ?? '00', `${at} revision`).toBe(d.revision ?? '00');
      expect(r.ProgIf ?? '00', `${at} prog-if`).toBe(d.classId.slice(4));
      expect(r.Driver ?? null, `${at} driver`).toBe(d.driver);
    }
  });

  it('marks exactly the interfaces of the default routes (and what they stand on) as management', () => {
    expect(live.devices.filter((d) => d.vendorId === '1af4' && d.driver !== null).every((d) => d.driver === 'virtio-pci')).toBe(true);
    if (!live.host.iommu.enabled) expect(live.groups).toEqual([]);
    const defaults = new Set<string>();
    for (const family of ['-4', '-6']) {
      const ip = spawnSync('ip', ['-j', family, 'route', 'show', 'default'], { encoding: 'utf8' });
      if (ip.error || ip.status !== 0) continue;
      for (const r of JSON.parse(ip.stdout || '[]') as { dev?: string; nexthops?: { dev?: string }[] }[]) {
        for (const dev of [r.dev, ...(r.nexthops ?? []).map((h) => h.dev)]) if (dev) defaults.add(dev);
      }
    }
    const withDefault = live.interfaces.filter((i) => i.defaultRoute.ipv4 || i.defaultRoute.ipv6).map((i) => i.name);
    expect(new Set(withDefault)).toEqual(defaults);
    for (const name of defaults) expect(live.interfaces.find((i) => i.name === name)?.management, name).toBe(true);
    if (defaults.size === 0) expect(live.interfaces.filter((i) => i.management)).toEqual([]);
  });

  it('snapshots this machine faithfully: its scan equals the live scan except `source`', () => {
    const dest = join(tmp, 'snap');
    const s = runCli(cli, ['snapshot', '--json', dest]);
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    expect((JSON.parse(s.stdout) as { snapshot: { mismatches: string[] } }).snapshot.mismatches).toEqual([]);
    const back = JSON.parse(runCli(cli, ['scan', '--json', '--root', dest]).stdout) as HostScan;
    expect(back.source.kind).toBe('snapshot');
    expect({ ...back, source: null }).toEqual({ ...live, source: null });
  });
});
