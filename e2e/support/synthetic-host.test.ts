import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RootFs } from '../../electron/host/fs/root-fs';
import { scanHost } from '../../electron/host/scan';
import { buildSyntheticHost, syntheticHost } from './synthetic-host';
import { which } from './which';

// Writing a tree is thousands of files: each size is built once, and the limits allow a busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const built = new Map<string, ReturnType<typeof buildSyntheticHost>>();
afterAll(() => built.forEach((b) => rmSync(b.root, { recursive: true, force: true })));

function build(functions: number, seed: number, fresh = false) {
  const key = `${functions}/${seed}`;
  const existing = built.get(key);
  if (existing && !fresh) return existing;
  const b = buildSyntheticHost({ functions, seed });
  built.set(fresh ? `${key}/${b.root}` : key, b);
  return b;
}

/** Every path with its content, link target or "dir", hashed: two trees compare by one string. */
function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = `${rel}/${name}`;
      const p = path.join(root, r);
      const st = statSync(p, { throwIfNoEntry: false });
      const lst = readlinkOrNull(p);
      if (lst !== null) h.update(`${r} -> ${lst}\n`);
      else if (st?.isDirectory()) {
        h.update(`${r}/\n`);
        walk(r);
      } else h.update(`${r} = `).update(readFileSync(p)).update('\n');
    }
  };
  walk('');
  return h.digest('hex');
}

function readlinkOrNull(p: string): string | null {
  try {
    return readlinkSync(p);
  } catch {
    return null;
  }
}

describe('synthetic hosts', () => {
  it('are the same tree for the same seed, and another for another seed', () => {
    const a = build(128, 7);
    const b = build(128, 7, true);
    const c = build(128, 8);
    expect(treeHash(a.root)).toBe(treeHash(b.root));
    expect(treeHash(a.root)).not.toBe(treeHash(c.root));
  });

  it.each([64, 512])('a scan of the %i-function host finds exactly what was generated', async (n) => {
    const { root, summary } = build(n, 1);
    expect(summary.functions).toBe(n);
    const scan = await scanHost(new RootFs(root));
    expect(scan.devices).toHaveLength(n);
    expect(scan.groups).toHaveLength(summary.groups);
    expect(scan.devices.filter((d) => d.sriov)).toHaveLength(summary.physicalFunctions);
    expect(scan.devices.filter((d) => d.physfn !== null)).toHaveLength(summary.virtualFunctions);
    expect(scan.interfaces).toHaveLength(summary.interfaces);
    // Every interface sits on its PCI function; the management port is the one with the default route.
    expect(scan.interfaces.every((i) => i.device !== null && i.kind === 'physical')).toBe(true);
    expect(scan.interfaces.filter((i) => i.management).map((i) => i.name)).toEqual([summary.managementInterface]);
    expect(scan.source.hostname).toBe(`synthetic-${n}-seed1`);
    // Mixed group sizes: singletons, and shared groups (chipset, BMC, GPUs, PFs or switches without ACS).
    const sizes = new Set(scan.groups.map((g) => g.devices.length));
    expect(sizes.has(1)).toBe(true);
    expect([...sizes].some((s) => s >= 3)).toBe(true);
    expect(summary.physicalFunctions).toBeGreaterThan(0);
  });

  it('realistic mixes: VFs on their host driver, on vfio-pci and unbound; names from pci.ids', async () => {
    const { root } = build(512, 1);
    const scan = await scanHost(new RootFs(root));
    const vfDrivers = new Set(scan.devices.filter((d) => d.physfn).map((d) => d.driver));
    expect(vfDrivers).toContain('vfio-pci');
    expect(vfDrivers).toContain(null);
    expect([...vfDrivers].some((d) => d === 'iavf' || d === 'mlx5_core')).toBe(true);
    expect(scan.devices.every((d) => d.vendorName !== null && d.deviceName !== null)).toBe(true);
    expect(scan.devices.filter((d) => d.bootVga).map((d) => d.address)).toEqual(['0000:02:00.0']);
  });

  it('keeps addresses unique and VFs behind their PF', () => {
    const { spec } = syntheticHost({ functions: 8192, seed: 1 });
    const addresses = spec.devices.map((d) => d.address);
    expect(new Set(addresses).size).toBe(8192);
    const parents = new Set(addresses);
    expect(spec.devices.every((d) => !d.parent || parents.has(d.parent))).toBe(true);
  });

  it.skipIf(which('lspci') === null)('lspci, reading the tree as sysfs, lists the same functions', () => {
    const { root } = build(512, 1);
    const out = spawnSync('lspci', ['-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-D', '-nn'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    const listed = out.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    const ids = out.stdout
      .trim()
      .split('\n')
      .map((l) => /\[([0-9a-f]{4}:[0-9a-f]{4})\]/.exec(l)?.[1]);
    const { spec } = syntheticHost({ functions: 512, seed: 1 });
    const sorted = spec.devices.map((d) => d.address).sort();
    expect([...listed].sort()).toEqual(sorted);
    // lspci takes vendor and device from the config space the generator wrote.
    const byAddress = new Map(spec.devices.map((d) => [d.address, `${d.vendor}:${d.device}`]));
    expect(listed.map((a) => byAddress.get(a as string))).toEqual(ids);
  });
});
