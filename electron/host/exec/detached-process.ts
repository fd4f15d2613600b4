/**
 * A process that must outlive the one that starts it: the revert timer of confirm-or-revert,
 * which has to put a network change back even when the window, the terminal or the SSH session
 * that applied it is gone. It gets a session of its own (setsid: no controlling terminal, so no
 * SIGHUP when the terminal goes; its own process group, so killing the caller's group does not
 * reach it), no stdin, and its output in a log file. argv only, never a shell.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { PassthruError } from '#shared/errors';

export interface DetachedOptions {
  /** Appended with the process's stdout and stderr (created 0600). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts argv detached and returns its pid; throws ENVIRONMENT when it cannot start. */
export function startDetached(argv: readonly string[], options: DetachedOptions): number {
  const [file, ...args] = argv;
  if (file === undefined) throw new PassthruError('INTERNAL', 'No command to start.', null);
  const log = fs.openSync(options.logFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
  try {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log], env: options.env ?? process.env });
    // A program that cannot start has no pid, and says why in an 'error' event that must be heard.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new PassthruError('ENVIRONMENT', `${file} could not be started.`, null);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}
