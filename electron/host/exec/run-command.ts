/**
 * The one door through which Passthru runs host commands (docs/architecture.md: exec/ is the
 * only door to processes). Commands are argv arrays handed straight to execve — never a
 * shell — so no argument can be re-interpreted; every run has a timeout and can be cancelled
 * with an AbortSignal; a failure is a typed {@link CommandError} carrying the exit code,
 * stdout and stderr. Modelled on Podman Desktop's `packages/main/src/plugin/util/exec.ts`.
 *
 * Other doors build on this one rather than spawning on their own: sysfs writes (a sibling
 * `write-sysfs.ts` over the same error type) and privilege elevation (`pkexec <helper>` run
 * through this runner, its JSON-lines progress read with {@link RunOptions.onStdoutLine}; see
 * changes/elevated-apply.ts). A command that runs until it is stopped (a monitor of the
 * kernel's events) goes through the sibling `spawn-lines.ts`, which reports with the same
 * CommandError.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassthruError } from '#shared/errors';
import { formatArgv } from '#shared/shell-quote';
import { LineSplitter } from './line-splitter';

export interface RunOptions {
  /** Kill the command after this many milliseconds (default 30 s; 0 = no limit). */
  timeoutMs?: number;
  /** Cancels the command: it is killed and the promise rejects with reason `aborted`. */
  signal?: AbortSignal;
  /** Extra environment; merged over the current one (LC_ALL=C is set so output parses). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed (stdin is empty otherwise). */
  input?: string;
  /** Exit codes that count as success besides 0 (e.g. `grep` returning 1). */
  okExitCodes?: readonly number[];
  /** Output cap per stream; beyond it the command is killed (default 16 MiB). */
  maxOutputBytes?: number;
  /**
   * Called with each line of stdout (without its newline) as soon as the line is complete, for
   * commands that report progress while they run; an unterminated last line is delivered when
   * stdout ends. stdout is still collected into the result. If the callback throws, no further
   * lines are delivered but the command is left to finish (it may be in the middle of a
   * change), and the promise then rejects with that error.
   */
  onStdoutLine?: (line: string) => void;
}

export interface RunResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Why a command did not succeed; lets callers fall back (e.g. `not-found` → read procfs). */
export type CommandFailure =
  | 'exit' // ran and exited with a status not in okExitCodes
  | 'signal' // killed by a signal we did not send
  | 'timeout'
  | 'aborted'
  | 'not-found' // ENOENT: the program is not installed
  | 'spawn' // could not start for another reason (EACCES, ...)
  | 'output-limit';

/**
 * A command that did not succeed. It is a PassthruError so it crosses IPC and the CLI as
 * data: a missing program is ENVIRONMENT, everything else FAILED.
 */
export class CommandError extends PassthruError {
  readonly argv: readonly string[];
  readonly failure: CommandFailure;
  readonly exitCode: number | null;
  readonly signalName: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;

  constructor(init: {
    argv: readonly string[];
    failure: CommandFailure;
    exitCode?: number | null;
    signalName?: NodeJS.Signals | null;
    stdout?: string;
    stderr?: string;
    cause?: unknown;
  }) {
    const shown = formatArgv(init.argv);
    const stderr = init.stderr ?? '';
    super(
      init.failure === 'not-found' ? 'ENVIRONMENT' : 'FAILED',
      describeFailure(shown, init),
      init.failure === 'not-found' ? `Install the package that provides \`${init.argv[0] ?? ''}\`.` : null,
      stderr.trim() || null,
    );
    this.name = 'CommandError';
    this.argv = [...init.argv];
    this.failure = init.failure;
    this.exitCode = init.exitCode ?? null;
    this.signalName = init.signalName ?? null;
    this.stdout = init.stdout ?? '';
    this.stderr = stderr;
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }
}

/** The signature probes and ops accept, so tests (and elevation) can substitute the runner. */
export type CommandRunner = (argv: readonly string[], options?: RunOptions) => Promise<RunResult>;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
/** Time between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 2_000;

/** Children still running, killed if Passthru itself exits first (they run in their own group). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Runs `argv[0]` with `argv.slice(1)` (PATH lookup, no shell) and collects its output. */
export const runCommand: CommandRunner = (argv, options = {}) => {
  if (argv.length === 0 || !argv[0]) {
    return Promise.reject(new PassthruError('INTERNAL', 'runCommand was given an empty argv.', null));
  }
  if (options.signal?.aborted) {
    return Promise.reject(new CommandError({ argv, failure: 'aborted' }));
  }
  installExitHook();
  return new Promise<RunResult>((resolve, reject) => {
    const started = Date.now();
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const [file, ...args] = argv as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: { ...process.env, LC_ALL: 'C', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        // Own process group, so a timeout or cancel also kills whatever the command forked.
        detached: true,
      });
    } catch (err) {
      reject(new CommandError({ argv, failure: 'spawn', cause: err }));
      return;
    }
    live.add(child);

    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let stopReason: 'timeout' | 'aborted' | 'output-limit' | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stdoutLines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : null;

    const stop = (reason: 'timeout' | 'aborted' | 'output-limit'): void => {
      if (stopReason || settled) return;
      stopReason = reason;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        // A grandchild that left our group may still hold the pipes: stop waiting for them.
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_GRACE_MS);
      killTimer.unref();
    };

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = timeoutMs > 0 ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) stop('output-limit');
      else {
        out.push(chunk);
        stdoutLines?.push(chunk);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes > maxBytes) stop('output-limit');
      else err.push(chunk);
    });
    child.stdin?.on('error', () => {
      // EPIPE when the command exits without reading its input: its exit status says enough.
    });
    child.stdin?.end(options.input ?? '');

    const finish = (error: Error | null, exitCode: number): void => {
      if (settled) return;
      settled = true;
      live.delete(child);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else {
        resolve({
          argv: [...argv],
          exitCode,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: Date.now() - started,
        });
      }
    };

    child.on('error', (e: NodeJS.ErrnoException) => {
      const failure: CommandFailure = e.code === 'ENOENT' ? 'not-found' : 'spawn';
      finish(new CommandError({ argv, failure, cause: e, stderr: e.message }), -1);
    });
    child.on('close', (code, signalName) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      // A command we stopped may have been cut off mid-line: that fragment is not a line.
      if (!stopReason) stdoutLines?.end();
      if (stdoutLines?.listenerError) {
        finish(stdoutLines.listenerError, -1);
      } else if (stopReason) {
        finish(new CommandError({ argv, failure: stopReason, exitCode: code, signalName, stdout, stderr }), -1);
      } else if (code === null) {
        finish(new CommandError({ argv, failure: 'signal', signalName, stdout, stderr }), -1);
      } else if (code !== 0 && !(options.okExitCodes ?? []).includes(code)) {
        finish(new CommandError({ argv, failure: 'exit', exitCode: code, stdout, stderr }), code);
      } else {
        finish(null, code);
      }
    });
  });
};

/** argv as a copyable shell line — for messages and plans, never executed (one quoting for all: shared/shell-quote.ts). */
export { formatArgv };

function describeFailure(shown: string, init: { failure: CommandFailure; exitCode?: number | null; signalName?: NodeJS.Signals | null }): string {
  switch (init.failure) {
    case 'exit':
      return `\`${shown}\` failed with exit status ${init.exitCode ?? '?'}.`;
    case 'signal':
      return `\`${shown}\` was killed by ${init.signalName ?? 'a signal'}.`;
    case 'timeout':
      return `\`${shown}\` did not finish in time and was stopped.`;
    case 'aborted':
      return `\`${shown}\` was cancelled.`;
    case 'not-found':
      return `\`${shown}\` could not run because the program is not installed.`;
    case 'spawn':
      return `\`${shown}\` could not be started.`;
    case 'output-limit':
      return `\`${shown}\` produced too much output and was stopped.`;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}
