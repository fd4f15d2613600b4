/**
 * Builds the lab's initramfs once per (kernel, init script, busybox) and caches it under
 * .cache/lab/: busybox, stage 1 (guest/init.sh) and the few modules stage 1 needs to mount
 * the host's / over virtio-9p with an overlay. Everything else the guest runs — drivers, udev,
 * node, lspci, this checkout — comes from the host root, so the image stays ~3 MB and is
 * rebuilt only when one of its inputs changes.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeCpio, type CpioEntry } from './cpio';
import type { LabHostTools } from './prerequisites';
import { cacheDirFor, repoRoot } from '../support/repo';

/** Modules stage 1 loads, by name; their dependencies are added from modules.dep. */
const STAGE1_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/** Bump when the layout of the image changes in a way the inputs' hashes do not capture. */
const FORMAT = 1;

export { repoRoot };

export function cacheDir(): string {
  return cacheDirFor('lab', 'LAB_CACHE_DIR');
}

interface ModuleFile {
  name: string;
  /** Path relative to the modules directory, e.g. kernel/fs/9p/9p.ko.xz */
  rel: string;
}

/** Parses modules.dep and returns the closure of `wanted` in load order (dependencies first). */
export function resolveModules(modulesDep: string, wanted: string[]): ModuleFile[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const rel = line.slice(0, colon);
    const rest = line.slice(colon + 1).trim();
    deps.set(rel, rest ? rest.split(/\s+/) : []);
    byName.set(moduleName(rel), rel);
  }
  const order: ModuleFile[] = [];
  const seen = new Set<string>();
  const visit = (rel: string): void => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const d of deps.get(rel) ?? []) visit(d);
    order.push({ name: moduleName(rel), rel });
  };
  for (const w of wanted) {
    const rel = byName.get(w.replace(/-/g, '_'));
    // Built into the kernel (not in modules.dep): nothing to load.
    if (rel) visit(rel);
  }
  return order;
}

function moduleName(rel: string): string {
  return path
    .basename(rel)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_');
}

/** busybox insmod cannot read compressed modules: decompress with the matching tool. */
function readModule(file: string): Buffer {
  if (file.endsWith('.ko')) return readFileSync(file);
  const tool = file.endsWith('.xz') ? ['xz', 'xz-utils'] : file.endsWith('.zst') ? ['zstd', 'zstd'] : ['gzip', 'gzip'];
  try {
    return execFileSync(tool[0]!, ['-dc', file], { maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`cannot decompress ${file} with ${tool[0]} (install the Debian package ${tool[1]}): ${(e as Error).message}`, { cause: e });
  }
}

/** Images built from older inputs are dead weight (qemu reads its image only at start). */
function pruneOtherImages(keep: string): void {
  const dir = path.dirname(keep);
  for (const name of readdirSync(dir)) {
    if (/^initramfs-.*\.cpio$/.test(name) && path.join(dir, name) !== keep) rmSync(path.join(dir, name), { force: true });
  }
}

export function initScriptPath(): string {
  return path.join(repoRoot(), 'e2e', 'lab', 'guest', 'init.sh');
}

/** Returns the path of the cached initramfs for this kernel, building it if needed. */
export function ensureInitramfs(tools: LabHostTools): string {
  const init = readFileSync(initScriptPath());
  const busybox = readFileSync(tools.busybox);
  const modulesDep = readFileSync(path.join(tools.modulesDir, 'modules.dep'), 'utf8');
  const modules = resolveModules(modulesDep, STAGE1_MODULES);
  const key = createHash('sha256')
    .update(`format ${FORMAT}\0${tools.kernelVersion}\0`)
    .update(init)
    .update(busybox)
    .update(modules.map((m) => m.rel).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const out = path.join(cacheDir(), `initramfs-${tools.kernelVersion}-${key}.cpio`);
  if (existsSync(out)) {
    pruneOtherImages(out);
    return out;
  }

  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'modules', 'proc', 'sys'].map((d): CpioEntry => ({ kind: 'dir', path: d })),
    // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: init, mode: 0o755 },
    { kind: 'file', path: 'modules/order', data: Buffer.from(modules.map((m) => m.name).join('\n') + '\n') },
    ...modules.map((m): CpioEntry => ({ kind: 'file', path: `modules/${m.name}.ko`, data: readModule(path.join(tools.modulesDir, m.rel)) })),
  ];
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, writeCpio(entries));
  renameSync(tmp, out); // atomic: concurrent builders never see a half-written image
  pruneOtherImages(out);
  return out;
}
