/**
 * A minimal Debian 12 (bookworm) system with GRUB installed, made once with debootstrap and
 * cached as a zstd tarball under .cache/chroot/ (keyed on the suite, variant, package list
 * and the setup below), so that tests get a fresh copy in seconds:
 *
 *   await withDebianChroot(async (root) => {
 *     // edit files under root (root + '/etc/default/grub', ...), then:
 *     const r = await runInChroot(root, ['update-grub']);
 *   });
 *
 * The chroot is what a BIOS Debian install has: grub-pc (its postinst wrote /etc/default/grub
 * exactly as on a real machine), and a kernel in /boot — a fake one (a few bytes named
 * vmlinuz-<version> and initrd.img-<version>), which grub's 10_linux script lists like a real
 * one, so update-grub writes menu entries without a 100 MB linux-image download.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChrootPrerequisiteError, SYSTEM_PATH, checkWorkDirFilesystem, findChrootHostTools, type ChrootHostTools } from './prerequisites';
import { cacheDirFor, repoRoot } from '../support/repo';

export const SUITE = 'bookworm';
export const VARIANT = 'minbase';
/** grub-pc brings grub-common, grub2-common (update-grub) and grub-pc-bin. */
export const INCLUDE = ['grub-pc'];
/** The fake kernel installed in /boot. */
export const KERNEL_VERSION = '6.1.0-99-amd64';
/** Bump when the setup below changes in a way the key's other inputs do not capture. */
const FORMAT = 1;

export function mirror(): string {
  return process.env.CHROOT_MIRROR ?? 'http://deb.debian.org/debian';
}

export { repoRoot };

/** Where the tarball lives: $CHROOT_CACHE_DIR, else .cache/chroot in this checkout. */
export function cacheDir(): string {
  return cacheDirFor('chroot', 'CHROOT_CACHE_DIR');
}

/**
 * Where fresh copies are extracted: $CHROOT_WORK_DIR, else .cache/chroot/work. Not os.tmpdir():
 * /tmp is often a tmpfs, on which grub-probe finds no device for / and update-grub fails.
 */
export function workDir(): string {
  const dir = process.env.CHROOT_WORK_DIR ?? path.join(cacheDir(), 'work');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function cacheKey(): string {
  return createHash('sha256').update(JSON.stringify({ FORMAT, SUITE, VARIANT, INCLUDE, KERNEL_VERSION })).digest('hex').slice(0, 16);
}

export interface ChrootManifest {
  key: string;
  suite: string;
  variant: string;
  include: string[];
  kernelVersion: string;
  mirror: string;
  builtAt: string;
  buildSeconds: number;
  /** Bytes of the unpacked tree and of the tarball. */
  treeBytes: number;
  tarballBytes: number;
  /** `dpkg-query -W` inside the chroot: "package version" per line. */
  packages: string[];
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Runs argv (no shell) and collects its output. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? { PATH: SYSTEM_PATH, LC_ALL: 'C', HOME: '/root' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 600_000,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    // A child that exits without reading its input closes the pipe first (EPIPE): its exit
    // status, not the write, says how it went.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin.end(opts.input ?? '');
  });
}

async function runOk(argv: readonly string[], what: string, opts: RunOptions = {}): Promise<CommandResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-20).join('\n');
    throw new Error(`${what} failed (${r.signal ?? `exit ${r.code}`}): ${argv.join(' ')}\n${tail}`);
  }
  return r;
}

/** rm -rf that never crosses into another filesystem (a leftover mount is left alone, not emptied). */
async function removeTree(dir: string, tools: ChrootHostTools): Promise<void> {
  if (!existsSync(dir)) return;
  await runOk([tools.rm, '-rf', '--one-file-system', dir], `removing ${dir}`);
}

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

function tarballPath(key: string): string {
  return path.join(cacheDir(), `debian-${SUITE}-${key}.tar.zst`);
}

function pruneOtherBuilds(keep: string): void {
  const dir = path.dirname(keep);
  const keepManifest = keep.replace(/\.tar\.zst$/, '.json');
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (/^debian-.*\.(tar\.zst|json)$/.test(name) && p !== keep && p !== keepManifest) rmSync(p, { force: true });
  }
}

/** The setup on top of debootstrap: a fake kernel and initrd in /boot, no apt caches. */
function finishTree(tree: string): void {
  const boot = path.join(tree, 'boot');
  mkdirSync(path.join(boot, 'grub'), { recursive: true });
  writeFileSync(path.join(boot, `vmlinuz-${KERNEL_VERSION}`), 'fake kernel image for the passthru chroot tests\n', { mode: 0o644 });
  writeFileSync(path.join(boot, `initrd.img-${KERNEL_VERSION}`), 'fake initrd for the passthru chroot tests\n', { mode: 0o644 });
  // The downloaded .debs and the package lists are ~85 MB that no test needs.
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    const dir = path.join(tree, d);
    for (const name of readdirSync(dir)) {
      if (name !== 'partial' && name !== 'lock') rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
  for (const f of ['var/cache/apt/pkgcache.bin', 'var/cache/apt/srcpkgcache.bin']) rmSync(path.join(tree, f), { force: true });
}

let ensured: Promise<{ tarball: string; manifest: ChrootManifest }> | null = null;

/**
 * Returns the cached tarball (and its manifest), building it first when there is none for
 * this key: debootstrap into a scratch directory next to the cache, finishTree, tar | zstd,
 * then an atomic rename. debootstrap runs in a private mount namespace so the /proc and /sys
 * it mounts in the target can never outlive it.
 */
export function ensureDebianChroot(log: (line: string) => void = () => {}): Promise<{ tarball: string; manifest: ChrootManifest }> {
  ensured ??= build(log).catch((e: unknown) => {
    ensured = null;
    throw e;
  });
  return ensured;
}

async function build(log: (line: string) => void): Promise<{ tarball: string; manifest: ChrootManifest }> {
  const tools = findChrootHostTools();
  const key = cacheKey();
  const tarball = tarballPath(key);
  const manifestFile = tarball.replace(/\.tar\.zst$/, '.json');
  if (existsSync(tarball) && existsSync(manifestFile)) {
    pruneOtherBuilds(tarball);
    return { tarball, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) as ChrootManifest };
  }

  const started = Date.now();
  const scratch = mkdtempSync(path.join(cacheDir(), `build-${key}-`));
  const tree = path.join(scratch, 'root');
  try {
    log(`building the Debian ${SUITE} chroot (debootstrap --variant=${VARIANT} --include=${INCLUDE.join(',')}) from ${mirror()} into ${tree}`);
    const boot = await run(
      [tools.unshare, '--mount', '--propagation', 'private', '--fork', '--', tools.debootstrap, `--variant=${VARIANT}`, `--include=${INCLUDE.join(',')}`, SUITE, tree, mirror()],
      { env: { PATH: SYSTEM_PATH, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 1_800_000 },
    );
    if (boot.code !== 0) {
      const logFile = path.join(tree, 'debootstrap', 'debootstrap.log');
      const detail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
      throw new ChrootPrerequisiteError(
        `debootstrap failed (exit ${boot.code ?? boot.signal}); it needs ${mirror()} (set CHROOT_MIRROR for another Debian mirror):\n` +
          `${(boot.stderr || boot.stdout).trim().split('\n').slice(-15).join('\n')}\n${detail}`,
      );
    }
    finishTree(tree);
    const packages = (await runOk([tools.chroot, tree, 'dpkg-query', '-W', '-f', '${Package} ${Version}\\n'], 'listing the packages')).stdout.trim().split('\n');
    const treeBytes = duBytes(tree);
    const tmp = `${tarball}.${process.pid}.tmp`;
    log('packing it');
    await runOk([tools.tar, '--numeric-owner', '--xattrs', '--one-file-system', `--use-compress-program=${tools.zstd} -T0 -10`, '-C', tree, '-cf', tmp, '.'], 'packing the chroot');
    const manifest: ChrootManifest = {
      key,
      suite: SUITE,
      variant: VARIANT,
      include: INCLUDE,
      kernelVersion: KERNEL_VERSION,
      mirror: mirror(),
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 100) / 10,
      treeBytes,
      tarballBytes: statSync(tmp).size,
      packages,
    };
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    renameSync(tmp, tarball); // atomic: a concurrent run never sees half a tarball
    pruneOtherBuilds(tarball);
    log(`built in ${manifest.buildSeconds} s: ${(treeBytes / 1e6).toFixed(0)} MB unpacked, ${(manifest.tarballBytes / 1e6).toFixed(0)} MB packed`);
    return { tarball, manifest };
  } finally {
    await removeTree(scratch, tools);
  }
}

/** Unpacks a fresh copy of the cached chroot into a new directory under workDir(); returns it. */
export async function extractDebianChroot(): Promise<string> {
  const tools = findChrootHostTools();
  const { tarball } = await ensureDebianChroot();
  const parent = workDir();
  checkWorkDirFilesystem(parent);
  const dir = mkdtempSync(path.join(parent, `${SUITE}-`));
  const root = path.join(dir, 'root');
  mkdirSync(root);
  try {
    await runOk([tools.tar, '--numeric-owner', '--xattrs', '-p', `--use-compress-program=${tools.zstd}`, '-C', root, '-xf', tarball], 'unpacking the chroot');
  } catch (e) {
    await removeTree(dir, tools);
    throw e;
  }
  return root;
}

/** Mount points at or below dir in this (the host's) mount namespace. */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/**
 * Removes copies that an interrupted run left in workDir() (an hour old or more, so that a
 * concurrent run's copies are safe); returns how many. Never one with a mount under it.
 */
export async function pruneStaleCopies(maxAgeMs = 3_600_000): Promise<number> {
  const tools = findChrootHostTools();
  const parent = workDir();
  let removed = 0;
  for (const name of readdirSync(parent)) {
    const dir = path.join(parent, name);
    if (!name.startsWith(`${SUITE}-`) || Date.now() - statSync(dir).mtimeMs < maxAgeMs || mountsUnder(dir).length) continue;
    await removeTree(dir, tools);
    removed++;
  }
  return removed;
}

/**
 * Gives fn a fresh copy of the Debian chroot and removes it afterwards, whatever fn does.
 * The copy is a plain directory (no mounts on the host): runInChroot mounts what a command
 * needs in a private namespace of its own.
 */
export async function withDebianChroot<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const tools = findChrootHostTools();
  const root = await extractDebianChroot();
  try {
    return await fn(root);
  } finally {
    const leftovers = mountsUnder(root);
    // Never expected (mounts live in runInChroot's namespace); if a test made some, undo them
    // before removing, so the removal cannot reach into /dev or /proc.
    for (const m of leftovers.reverse()) await run(['umount', '-l', m]);
    await removeTree(path.dirname(root), tools);
  }
}

/** PATH and locale inside the chroot; nothing of the test runner's environment leaks in. */
export const CHROOT_ENV: Readonly<Record<string, string>> = { PATH: SYSTEM_PATH, LC_ALL: 'C', HOME: '/root', DEBIAN_FRONTEND: 'noninteractive' };

/**
 * Runs argv inside the chroot at root, as `chroot root argv...` — an argv array, never a
 * shell string — in a private mount namespace with root bind-mounted onto itself, /proc and
 * /dev (what grub-probe needs; see enter-chroot.sh). The mounts end with the command.
 */
export async function runInChroot(root: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  if (argv.length === 0) throw new Error('runInChroot: empty argv');
  if (!path.isAbsolute(root)) throw new Error(`runInChroot: root must be absolute: ${root}`);
  const tools = findChrootHostTools();
  const enter = path.join(repoRoot(), 'e2e', 'chroot', 'enter-chroot.sh');
  return run([tools.unshare, '--mount', '--propagation', 'private', '--fork', '--', tools.sh, enter, root, ...argv], {
    ...opts,
    env: { ...CHROOT_ENV, ...opts.env },
  });
}

/** runInChroot that throws (with the command's output) unless it exits 0. */
export async function runInChrootOk(root: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const r = await runInChroot(root, argv, opts);
  if (r.code !== 0) throw new Error(`in the chroot, ${argv.join(' ')} failed (${r.signal ?? `exit ${r.code}`}):\n${r.stderr}${r.stdout}`);
  return r;
}
