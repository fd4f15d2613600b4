/**
 * Test-only: starts `passthru serve` (a CLI bundle, `node CLI serve …`) as a child process and
 * resolves with the address it prints — token included — once it listens; rejects with its
 * output if it exits first. Shared by the GUI specs' `app` fixture, the benchmark and the
 * serve tests. NAT NICs never reach out (PASSTHRU_RESTRICT_NAT=1), and `env` adds test seams.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  /** The address printed, with the token: open it to log in. */
  url: string;
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
}

export const SERVING_LINE = /^Passthru is serving at (\S+)$/m;
/** On a unix socket, the address to open once forwarded. */
const FORWARDED_LINE = /^Open (\S+) after forwarding it/m;

/**
 * `wrapper`: a command the server runs under, e.g. `['ip', 'netns', 'exec', NS]` (it must exec
 * node in its own process, so the child's pid is the server's).
 */
export function spawnServe(cli: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 20_000, wrapper: readonly string[] = []): Promise<ServeProcess> {
  const argv = [...wrapper, process.execPath, cli, 'serve', ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PASSTHRU_DEBUG: '1', PASSTHRU_RESTRICT_NAT: '1', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    // A server that never says where it is would outlive the test that started it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`passthru serve printed no address in ${timeoutMs / 1000} s: ${output}`));
    }, timeoutMs);
    const seen = (d: unknown) => {
      output += String(d);
      const match = SERVING_LINE.exec(output) ?? FORWARDED_LINE.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ url: match[1]!, child, output: () => output });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d) => (output += String(d)));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`passthru serve exited with ${code}: ${output}`));
    });
  });
}
