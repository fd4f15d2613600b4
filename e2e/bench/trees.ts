/**
 * The benchmark's host trees, generated once and cached under .cache/bench: each folder is
 * named by a hash of what the generator produces for its size and seed (and of the pci.ids it
 * carries), so a changed generator makes new trees and a fresh clone reproduces the same ones.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cacheDirFor } from '../support/repo';
import { buildSyntheticHost, syntheticHost, type SyntheticHostSummary } from '../support/synthetic-host';

/** The system's pci.ids, which lspci reads too: the trees carry the same file, so both parse the same database. */
export const SYSTEM_PCI_IDS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'].find((p) => existsSync(p)) ?? null;

/** Bump when fake-sysfs changes how it writes a tree (the hash covers only what it is told to write). */
const WRITER_VERSION = 1;

export interface BenchTree {
  functions: number;
  root: string;
  summary: SyntheticHostSummary;
  /** Whether this run had to write it (false: taken from the cache). */
  generatedMs: number | null;
}

export function benchTree(functions: number, seed: number): BenchTree {
  const pciIds = SYSTEM_PCI_IDS ? readFileSync(SYSTEM_PCI_IDS, 'utf8') : undefined;
  const options = { functions, seed, pciIds };
  const host = syntheticHost(options);
  const key = createHash('sha256')
    .update(JSON.stringify([WRITER_VERSION, host.spec, host.ipCapture]))
    .digest('hex')
    .slice(0, 12);
  const root = path.join(cacheDirFor('bench', 'PASSTHRU_BENCH_CACHE'), `host-${functions}-seed${seed}-${key}`);
  if (existsSync(path.join(root, 'passthru-snapshot/manifest.json'))) return { functions, root, summary: host.summary, generatedMs: null };
  const partial = `${root}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  const started = performance.now();
  buildSyntheticHost(options, partial);
  renameSync(partial, root);
  return { functions, root, summary: host.summary, generatedMs: performance.now() - started };
}
