/**
 * Starts the test bridge (dist/bridge/server.cjs) as a child process and resolves with the URL
 * it prints once listening; rejects with its stderr if it exits first. Shared by the GUI specs'
 * `app` fixture and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export function spawnBridge(serverScript: string, args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [serverScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.stdout!.on('data', (d) => {
      const match = /PASSTHRU_BRIDGE_READY (\S+)/.exec(String(d));
      if (match) resolve({ url: match[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`bridge exited with ${code}: ${stderr}`)));
  });
}
