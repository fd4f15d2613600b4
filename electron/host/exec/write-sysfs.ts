/**
 * Sysfs writes, the second door of exec (beside run-command.ts). A write to `unbind` can block
 * in the kernel for as long as the driver's remove() takes, and a blocked write(2) cannot be
 * interrupted from inside the same process, so the write is done in a child process (node
 * itself, argv array, no shell) that is killed on timeout. The attribute is opened here, under
 * the root through ConfinedFs (no link leads out, no FIFO or device node is opened, a swapped
 * component is not followed), and the child is handed that fd: it never resolves a path.
 * Tests inject a writer (the fake kernel) so the same ops run against fake trees; it gets the
 * resolved host path.
 */
import { spawn } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { PassthruError } from '#shared/errors';
import { ConfinedFs } from './confined-fs';

/** Performs one write of `value` to the (resolved) host path; rejects with a {@link SysfsWriteError}. */
export type SysfsWriter = (hostPath: string, value: string, timeoutMs: number) => Promise<void>;

/** Errno names whose meaning at a sysfs attribute we can explain in plain words. */
const ERRNO_WORDS: Record<string, string> = {
  EBUSY: 'the device or driver is busy (in use, or a previous operation has not finished)',
  ENODEV: 'no driver accepted the device, or the device went away',
  EINVAL: 'the kernel rejected the value as invalid for this file',
  EEXIST: 'the kernel already has this entry (for new_id: the ID is already known)',
  EACCES: 'permission denied: this write needs root',
  EPERM: 'operation not permitted: this write needs root',
  ENOENT: 'the file does not exist (the device or driver is not present)',
  ETIMEDOUT: 'the write did not finish in time (the kernel is still busy with it)',
};

/** A sysfs write that failed, with the errno name and what it means here. */
export class SysfsWriteError extends PassthruError {
  constructor(
    readonly path: string,
    readonly errno: string,
    raw: string,
  ) {
    const words = ERRNO_WORDS[errno] ?? 'the kernel refused the write';
    super(
      'FAILED',
      `Writing ${path} failed (${errno}): ${words}.`,
      errno === 'EACCES' || errno === 'EPERM' ? 'Run Passthru with root privileges (sudo, or through the helper).' : null,
      raw || null,
    );
    this.name = 'SysfsWriteError';
  }
}

/** The child's program: one write to the fd it was handed (3); prints the errno code on failure. */
const WRITER_JS = "const fs=require('fs');try{fs.writeSync(3,process.argv[1]);}" + "catch(e){process.stderr.write(String(e.code||'EIO')+' '+e.message);process.exit(3);}";

/**
 * Writes `value` to the open file `fd` in a short-lived `node -e` child, killed (SIGKILL) if it
 * does not finish in time. `label` names the file in errors. The caller keeps (and closes) fd.
 */
export function writeFdInChild(fd: number, label: string, value: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER_JS, '--', value], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', fd],
      shell: false,
    });
    let stderr = '';
    let timedOut = false;
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new SysfsWriteError(label, 'EIO', e.message));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new SysfsWriteError(label, 'ETIMEDOUT', `killed after ${timeoutMs} ms`));
      else if (code === 0) resolve();
      else reject(new SysfsWriteError(label, stderr.split(' ')[0] || 'EIO', stderr.trim()));
    });
  });
}

export interface WriteSysfsOptions {
  timeoutMs?: number;
  writer?: SysfsWriter;
}

/**
 * Writes `value` to the attribute `inside` under `root` (a path, or a ConfinedFs already
 * pinned) with a timeout (default 10 s): opened confined here, written by the child.
 */
export async function writeSysfs(root: string | ConfinedFs, inside: string, value: string, options: WriteSysfsOptions = {}): Promise<void> {
  const files = typeof root === 'string' ? new ConfinedFs(root) : root;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.writer) return options.writer(files.hostPath(inside), value, timeoutMs);
  let fd: number;
  try {
    fd = files.openForWrite(inside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof PassthruError || typeof code !== 'string') throw err;
    throw new SysfsWriteError(files.show(inside), code, (err as Error).message);
  }
  try {
    await writeFdInChild(fd, files.show(inside), value, timeoutMs);
  } finally {
    nodeFs.closeSync(fd);
  }
}
