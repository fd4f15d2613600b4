/**
 * polkit's text agent for `passthru serve` run as a normal user. pkexec asks polkit, and
 * polkit asks an authentication agent for the password; a desktop session has one, a host
 * reached over SSH has none, and then every change made in the page would be refused. So
 * serve runs `pkttyagent` registered for its own process (pkexec's subject is its parent,
 * this process), and the prompt appears in the terminal that started serve.
 *
 * `--notify-fd` makes pkttyagent close a pipe once polkit has accepted the registration: that,
 * not the process merely starting, is when the prompt is known to work. `--fallback` leaves a
 * desktop's own agent in charge where one runs.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { PasswordPrompt } from '#shared/app-status';

export interface TerminalAgent {
  /** `terminal` while the agent polkit accepted runs; otherwise `none`. */
  readonly prompt: PasswordPrompt;
  /** Why there is no prompt, in words, when there is none. */
  reason: string | null;
  /** Stops the agent (serve is stopping). */
  stop(): void;
}

export interface TerminalAgentOptions {
  /** The process pkexec is started from: this one. */
  pid: number;
  /** Whether serve has a terminal to ask in (its standard input is one). */
  terminal: boolean;
  /** The program (default `pkttyagent` from PATH; tests give a fake). */
  program?: string;
  /** How long polkit may take to accept the registration (default 10 s). */
  timeoutMs?: number;
}

/** The file descriptor pkttyagent closes when it is registered (the fourth of its stdio). */
const NOTIFY_FD = 3;

export function startTerminalAgent(options: TerminalAgentOptions): Promise<TerminalAgent> {
  const none = (reason: string): TerminalAgent => ({ prompt: 'none', reason, stop: () => undefined });
  if (!options.terminal) return Promise.resolve(none('serve has no terminal to ask in (its standard input is not one)'));
  const program = options.program ?? 'pkttyagent';
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    // The terminal stays serve's: pkttyagent opens it (/dev/tty) to prompt; its stderr is kept
    // to say why it failed.
    const child = spawn(program, ['--process', String(options.pid), '--fallback', '--notify-fd', String(NOTIFY_FD)], {
      stdio: ['inherit', 'inherit', 'pipe', 'pipe'],
    });
    const alive = () => child.exitCode === null && child.signalCode === null;
    const stop = () => {
      if (alive()) child.kill('SIGTERM');
    };
    const settle = (agent: TerminalAgent) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(agent);
    };
    const timer = setTimeout(() => {
      stop();
      settle(none(`polkit did not accept ${program} within ${(options.timeoutMs ?? 10_000) / 1000} s`));
    }, options.timeoutMs ?? 10_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle(none(err.code === 'ENOENT' ? `${program} is not installed (Debian's polkitd package has it)` : `${program} could not start: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      const said = stderr.trim().split('\n').pop() ?? '';
      const how = signal ? `was stopped by ${signal}` : `ended with status ${code}`;
      settle(none(`${program} ${how}${said ? `: ${said}` : ''}`));
    });
    // Closed by pkttyagent once registered; if it dies instead, 'exit' says why.
    // A socket pair in fact (Node's extra 'pipe' stdio): read, so its end is seen.
    const notify = child.stdio[NOTIFY_FD] as Readable | null | undefined;
    notify?.on('error', () => undefined);
    notify?.on('close', () => {
      // The pipe also closes when the process dies, possibly before its exit is seen: a
      // registered agent stays to answer requests, so only one still there a moment later counts.
      setTimeout(() => {
        if (!alive()) return;
        settle({
          get prompt() {
            return alive() ? 'terminal' : 'none';
          },
          get reason() {
            return alive() ? null : `${program} has ended`;
          },
          stop,
        });
      }, 200);
    });
    notify?.resume();
  });
}
