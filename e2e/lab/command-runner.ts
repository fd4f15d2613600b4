/**
 * Runs argv arrays in the guest through the agent: the request goes over the control line,
 * output comes back in files of the shared run directory (tailed while the command runs, so
 * long commands stream), and the exit arrives over the control line.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ControlChannel, AgentExit } from './control-channel';
import { LabError } from './lab-error';

export interface RunOptions {
  /** Working directory in the guest; default: this checkout. */
  cwd?: string;
  /** Added to the guest's default environment (PATH, HOME=/root, LANG=C.UTF-8). */
  env?: Record<string, string>;
  stdin?: string | Buffer;
  /** Default 120 s; on expiry the command's process group is killed and the run rejects. */
  timeoutMs?: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  argv: string[];
  /** Exit status; 128+N when killed by signal N; 127 when it could not be started. */
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Tails one output file from `offset` on, handing new bytes to `sink`. */
class Tail {
  private offset = 0;
  constructor(
    private file: string,
    private sink?: (chunk: Buffer) => void,
  ) {}
  poll(): void {
    if (!this.sink) return;
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      if (n > 0) this.sink(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
}

export class CommandRunner {
  private nextId = 1;
  private waiting = new Map<number, (m: AgentExit) => void>();

  constructor(
    private control: ControlChannel,
    private runDir: string,
    private defaultCwd: string,
    private onFatal: (w: (e: LabError) => void) => () => void,
    private fatal: () => LabError | null,
  ) {
    control.on('message', (m) => {
      if (m.t === 'exit') this.waiting.get(m.id)?.(m);
    });
  }

  async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error('run: empty argv');
    const dead = this.fatal();
    if (dead) throw dead;
    const id = this.nextId++;
    const files = { in: path.join(this.runDir, `${id}.in`), out: path.join(this.runDir, `${id}.out`), err: path.join(this.runDir, `${id}.err`) };
    if (options.stdin !== undefined) writeFileSync(files.in, options.stdin);
    const env = { PATH: GUEST_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb', ...options.env };
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 120_000;
    const tails = [new Tail(files.out, options.onStdout), new Tail(files.err, options.onStderr)];

    const exit = await new Promise<AgentExit>((resolve, reject) => {
      let timedOut = false;
      const poller = options.onStdout || options.onStderr ? setInterval(() => tails.forEach((t) => t.poll()), 100) : null;
      const cleanup = (): void => {
        this.waiting.delete(id);
        if (poller) clearInterval(poller);
        clearTimeout(timer);
        clearTimeout(hardTimer);
        stopFatal();
      };
      let hardTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          this.control.send({ t: 'kill', id, signal: 'SIGKILL' });
        } catch {
          /* the guest is gone: the fatal handler reports it */
        }
        // If even the kill gets no answer, give up on this command.
        hardTimer = setTimeout(() => {
          cleanup();
          reject(new LabError(`${JSON.stringify(argv)} timed out after ${timeoutMs / 1000} s and did not answer a kill`, 'command-timeout'));
        }, 10_000);
      }, timeoutMs);
      const stopFatal = this.onFatal((e) => {
        cleanup();
        reject(e);
      });
      this.waiting.set(id, (m) => {
        cleanup();
        if (timedOut) reject(new LabError(`${JSON.stringify(argv)} timed out after ${timeoutMs / 1000} s (killed)`, 'command-timeout'));
        else resolve(m);
      });
      try {
        this.control.send({ t: 'run', id, argv, cwd: options.cwd ?? this.defaultCwd, env, stdin: options.stdin !== undefined });
      } catch (e) {
        cleanup();
        reject(e);
      }
    });
    for (const t of tails) t.poll();
    const read = (f: string): string => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    const result: RunResult = {
      argv,
      code: exit.error ? 127 : exit.signal ? 128 + (SIGNALS[exit.signal] ?? 0) : (exit.code ?? 1),
      signal: exit.signal,
      stdout: read(files.out),
      stderr: exit.error ? `${read(files.err)}lab agent: cannot run ${argv[0]}: ${exit.error}\n` : read(files.err),
      durationMs: Date.now() - started,
    };
    if (exit.error) options.onStderr?.(Buffer.from(`lab agent: cannot run ${argv[0]}: ${exit.error}\n`));
    for (const f of Object.values(files)) rmSync(f, { force: true });
    return result;
  }
}
