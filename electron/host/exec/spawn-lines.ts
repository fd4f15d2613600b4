/**
 * The streaming half of the exec seam: a long-running command (`udevadm monitor`,
 * `ip monitor`) whose stdout is handed over line by line while it runs, for as long as the
 * caller wants it. Like runCommand it takes an argv array and never a shell; unlike it there
 * is no timeout and nothing is collected but the tail of stderr, which says why a command
 * ended when it ends on its own.
 *
 * A stream must never be the reason a process stays up: the child and its pipes are unref'd,
 * so a CLI run or a test exits when its own work is done, and the child is killed then (the
 * exit hook below). The child stays in Passthru's process group, so a Ctrl-C in the terminal
 * reaches it too; and when Passthru dies without running the hook (SIGKILL), the child's next
 * write goes to a pipe nobody reads, and SIGPIPE ends it (Node hands children the default
 * signal dispositions).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassthruError } from '#shared/errors';
import { LineSplitter } from './line-splitter';
import { CommandError, type CommandFailure } from './run-command';

export interface SpawnLinesOptions {
  /** Extra environment; merged over the current one (LC_ALL=C is set so output parses). */
  env?: Record<string, string>;
  /** Called once when the child is gone, whatever the reason (after stop() too). */
  onEnd?: (end: LineStreamEnd) => void;
  /** The longest line accepted (default 1 MiB); beyond it the child is stopped ('output-limit'). */
  maxLineLength?: number;
}

export interface LineStreamEnd {
  argv: readonly string[];
  /** True when stop() ended it: the caller asked for it, so it is not a failure. */
  stopped: boolean;
  /**
   * Why the command ended on its own: a CommandError ('not-found', 'spawn', 'exit', 'signal',
   * 'output-limit'), or what the line listener threw. Null when stopped, or when the command
   * exited with status 0.
   */
  error: Error | null;
  exitCode: number | null;
  signalName: NodeJS.Signals | null;
  /** The last 64 KiB of what the command wrote on stderr. */
  stderr: string;
}

export interface LineStream {
  readonly argv: readonly string[];
  /** The child's pid; undefined when it could not be started. */
  readonly pid: number | undefined;
  /** True until the child has ended or stop() was called. */
  readonly running: boolean;
  /** Kills the child (SIGTERM, SIGKILL after a grace period); no line is delivered after it. */
  stop(): void;
  /** Settles once the child is gone; never rejects. */
  readonly ended: Promise<LineStreamEnd>;
}

/** The signature the watchers accept, so tests can hand them a fake. */
export type LineSpawner = (argv: readonly string[], onLine: (line: string) => void, options?: SpawnLinesOptions) => LineStream;

const DEFAULT_MAX_LINE = 1024 * 1024;
const STDERR_KEPT = 64 * 1024;
/** Time between SIGTERM and SIGKILL when a stream is stopped. */
const KILL_GRACE_MS = 2_000;

/** Children still running, killed if Passthru itself exits first. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Runs `argv[0]` with `argv.slice(1)` (PATH lookup, no shell) and hands each stdout line to `onLine`. */
export const spawnLines: LineSpawner = (argv, onLine, options = {}) => {
  const argvCopy = [...argv];
  let resolveEnded!: (end: LineStreamEnd) => void;
  const ended = new Promise<LineStreamEnd>((r) => (resolveEnded = r));
  let running = true;
  let stopped = false;
  let settled = false;
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  let limitError: CommandError | null = null;

  const finish = (end: Omit<LineStreamEnd, 'argv' | 'stopped' | 'stderr'>, child?: ChildProcess): void => {
    if (settled) return;
    settled = true;
    running = false;
    if (child) live.delete(child);
    if (killTimer) clearTimeout(killTimer);
    const result: LineStreamEnd = { argv: argvCopy, stopped, stderr, ...end, ...(stopped ? { error: null } : {}) };
    resolveEnded(result);
    options.onEnd?.(result);
  };

  if (argv.length === 0 || !argv[0]) {
    // Same contract as a failed start: the caller hears it through onEnd / ended.
    queueMicrotask(() => finish({ error: new PassthruError('INTERNAL', 'spawnLines was given an empty argv.', null), exitCode: null, signalName: null }));
    return { argv: argvCopy, pid: undefined, running: false, stop: () => undefined, ended };
  }

  installExitHook();
  const [file, ...args] = argvCopy as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      env: { ...process.env, LC_ALL: 'C', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
  } catch (err) {
    queueMicrotask(() => finish({ error: new CommandError({ argv: argvCopy, failure: 'spawn', cause: err }), exitCode: null, signalName: null }));
    return { argv: argvCopy, pid: undefined, running: false, stop: () => undefined, ended };
  }
  live.add(child);

  const kill = (): void => {
    try {
      child.kill('SIGTERM');
    } catch {
      // Already gone.
    }
    killTimer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, KILL_GRACE_MS);
    killTimer.unref();
  };

  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const lines = new LineSplitter((line) => {
    if (running && !stopped) onLine(line);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (stopped || limitError || lines.listenerError) return;
    lines.push(chunk);
    if (lines.listenerError) kill();
    else if (lines.pendingLength > maxLine) {
      limitError = new CommandError({ argv: argvCopy, failure: 'output-limit', stderr });
      kill();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  child.unref();

  child.on('error', (e: NodeJS.ErrnoException) => {
    const failure: CommandFailure = e.code === 'ENOENT' ? 'not-found' : 'spawn';
    finish({ error: new CommandError({ argv: argvCopy, failure, cause: e, stderr: stderr || e.message }), exitCode: null, signalName: null }, child);
  });
  child.on('close', (code, signalName) => {
    // An unterminated last line is still a line, unless the command was cut off.
    if (!stopped && !limitError) lines.end();
    let error: Error | null = lines.listenerError ?? limitError;
    if (!error && code === null) error = new CommandError({ argv: argvCopy, failure: 'signal', signalName, stderr });
    if (!error && code !== 0) error = new CommandError({ argv: argvCopy, failure: 'exit', exitCode: code, stderr });
    finish({ error, exitCode: code, signalName }, child);
  });

  return {
    argv: argvCopy,
    get pid() {
      return child.pid;
    },
    get running() {
      return running;
    },
    stop() {
      if (stopped || settled) return;
      stopped = true;
      running = false;
      kill();
    },
    ended,
  };
};

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}
