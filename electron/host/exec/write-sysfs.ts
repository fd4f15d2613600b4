/**
 * Sysfs writes, the second door of exec (beside run-command.ts). A write to `unbind` can block
 * in the kernel for as long as the driver's remove() takes, and a blocked write(2) cannot be
 * interrupted from inside the same process, so the default writer does the write in a child
 * process (node itself, argv array, no shell) and kills it on timeout. Tests inject a writer
 * (the fake kernel) so the same ops run against fake trees.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PassthruError } from '../../../shared/errors';

/** Performs one write of `value` to the host path; rejects with a {@link SysfsWriteError}. */
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

/** The child's program: one open+write+close; prints the errno code on failure. */
const WRITER_JS =
  "const fs=require('fs');try{const fd=fs.openSync(process.argv[1],'w');" +
  "fs.writeSync(fd,process.argv[2]);fs.closeSync(fd);}catch(e){process.stderr.write(String(e.code||'EIO')+' '+e.message);process.exit(3);}";

/** The real writer: a short-lived `node -e` child, killed (SIGKILL) if it does not finish in time. */
export const childProcessWriter: SysfsWriter = (hostPath, value, timeoutMs) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER_JS, hostPath, value], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
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
      reject(new SysfsWriteError(hostPath, 'EIO', e.message));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new SysfsWriteError(hostPath, 'ETIMEDOUT', `killed after ${timeoutMs} ms`));
      else if (code === 0) resolve();
      else reject(new SysfsWriteError(hostPath, stderr.split(' ')[0] || 'EIO', stderr.trim()));
    });
  });

export interface WriteSysfsOptions {
  timeoutMs?: number;
  writer?: SysfsWriter;
}

/** Maps an inside-root path to the host path, refusing anything that could leave the root. */
export function hostPathInside(root: string, inside: string): string {
  if (!inside.startsWith('/') || inside.split('/').includes('..') || inside.includes('\0')) {
    throw new PassthruError('BAD_INPUT', `Refusing to write ${JSON.stringify(inside)}: not a plain absolute path.`, null);
  }
  const base = path.resolve(root);
  const full = path.resolve(base, `.${inside}`);
  if (full !== base && !full.startsWith(base === '/' ? '/' : `${base}/`)) {
    throw new PassthruError('BAD_INPUT', `Refusing to write ${inside}: it lies outside ${base}.`, null);
  }
  return full;
}

/** Writes `value` to `root`+`inside` with a timeout (default 10 s). */
export async function writeSysfs(root: string, inside: string, value: string, options: WriteSysfsOptions = {}): Promise<void> {
  const full = hostPathInside(root, inside);
  await (options.writer ?? childProcessWriter)(full, value, options.timeoutMs ?? 10_000);
}
