/**
 * VM profiles as JSON files in the user's config directory ($XDG_CONFIG_HOME/passthru/vms/
 * NAME.json), and where a VM's runtime files go ($XDG_RUNTIME_DIR/passthru/vms/NAME). Writes
 * are atomic (temp file, fsync, rename), so a crash never leaves half a profile; every read is
 * checked against the schema, and a corrupt file is reported in the list rather than
 * breaking it. Nothing is written outside these two directories.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { makeDirs } from '../fs/make-dirs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PassthruError } from '#shared/errors';
import { vmProfileSchema, type VmProfile } from '#shared/vm';
import { checkVmName } from '#shared/vm-names';

export { checkVmName };
import type { VmRuntimePaths } from './qemu-argv';

export interface VmDirs {
  /** Holds vms/NAME.json (and vms/NAME.efivars.fd for OVMF guests). */
  configDir: string;
  /** Holds NAME/{qemu.pid,qmp.sock,qemu.log,serial.log,taps.json}. */
  runtimeDir: string;
}

/**
 * The directories: explicit values (CLI --config-dir/--runtime-dir), else PASSTHRU_CONFIG_DIR /
 * PASSTHRU_RUNTIME_DIR (tests), else the XDG locations.
 */
export function resolveVmDirs(explicit: Partial<VmDirs> = {}, env: NodeJS.ProcessEnv = process.env): VmDirs {
  const home = env.HOME || homedir();
  const configDir = explicit.configDir ?? env.PASSTHRU_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME || join(home, '.config'), 'passthru');
  const runtimeDir =
    explicit.runtimeDir ??
    env.PASSTHRU_RUNTIME_DIR ??
    (env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'passthru', 'vms') : join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'passthru', 'vms'));
  return { configDir, runtimeDir };
}

/** A saved profile, or why a file in the directory could not be read as one. */
export type StoredProfile = { ok: true; name: string; profile: VmProfile; file: string } | { ok: false; name: string; file: string; problem: string };

/** sun_path is 108 bytes with the NUL: a longer QMP socket path cannot be bound. */
const MAX_SOCKET_PATH = 107;

export class ProfileStore {
  readonly vmsDir: string;
  constructor(readonly dirs: VmDirs) {
    this.vmsDir = join(dirs.configDir, 'vms');
  }

  file(name: string): string {
    return join(this.vmsDir, `${checkVmName(name)}.json`);
  }

  /** The per-VM copy of OVMF's variable store (persistent, like the disks). */
  efiVarsFile(name: string): string {
    return join(this.vmsDir, `${checkVmName(name)}.efivars.fd`);
  }

  runtimePaths(name: string): VmRuntimePaths {
    const dir = join(this.dirs.runtimeDir, checkVmName(name));
    const paths = {
      dir,
      pidFile: join(dir, 'qemu.pid'),
      qmpSocket: join(dir, 'qmp.sock'),
      logFile: join(dir, 'qemu.log'),
      serialLog: join(dir, 'serial.log'),
    };
    if (Buffer.byteLength(paths.qmpSocket) > MAX_SOCKET_PATH) {
      throw new PassthruError(
        'BAD_INPUT',
        `The QMP socket path ${paths.qmpSocket} is longer than a unix socket allows (107 bytes).`,
        'Use a shorter VM name or runtime directory (--runtime-dir).',
      );
    }
    return paths;
  }

  list(): StoredProfile[] {
    if (!existsSync(this.vmsDir)) return [];
    return readdirSync(this.vmsDir)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort()
      .map((f) => this.read(f.slice(0, -'.json'.length), join(this.vmsDir, f)));
  }

  /** The profile named `name`; NOT_FOUND-style BAD_INPUT when missing, FAILED when corrupt. */
  get(name: string): VmProfile {
    const file = this.file(name);
    if (!existsSync(file)) throw new PassthruError('BAD_INPUT', `There is no VM named ${name}.`, 'See `passthru vm list`, or create it with `passthru vm create NAME`.');
    const stored = this.read(name, file);
    if (!stored.ok) throw new PassthruError('FAILED', `The profile of VM ${name} cannot be read: ${stored.problem}`, `Fix or delete ${file}.`);
    return stored.profile;
  }

  exists(name: string): boolean {
    return existsSync(this.file(name));
  }

  /** Writes atomically: a temp file in the same directory, fsync, rename over the old one. */
  save(profile: VmProfile): string {
    const parsed = vmProfileSchema.parse(profile);
    makeDirs(this.vmsDir, 0o700);
    const file = this.file(parsed.name);
    writeFileAtomic(file, `${JSON.stringify(parsed, null, 2)}\n`);
    return file;
  }

  delete(name: string): void {
    rmSync(this.file(name), { force: true });
    rmSync(this.efiVarsFile(name), { force: true });
  }

  private read(name: string, file: string): StoredProfile {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      return { ok: false, name, file, problem: err instanceof SyntaxError ? `not valid JSON (${err.message})` : String(err) };
    }
    const r = vmProfileSchema.safeParse(data);
    if (!r.success) return { ok: false, name, file, problem: r.error.issues.map((i) => `${i.path.join('.') || 'profile'}: ${i.message}`).join('; ') };
    if (r.data.name !== name) return { ok: false, name, file, problem: `the file is named ${name} but holds VM ${r.data.name}` };
    return { ok: true, name, profile: r.data, file };
  }
}

/** temp + fsync + rename (+ fsync of the directory), so readers see the old or the new file. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dirFd = openSync(join(file, '..'), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}
