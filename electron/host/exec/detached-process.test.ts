/**
 * A detached process outlives the one that started it: its own session and process group
 * (so neither the terminal's hang-up nor a kill of the starter's group reaches it), no stdin,
 * output in its log. What the revert timer of confirm-or-revert relies on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDetached } from './detached-process';

async function until(test: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startDetached', () => {
  it('starts argv in a session of its own, stdin closed, output appended to the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-detached-'));
    const log = join(dir, 'timer.log');
    // The child prints its pid, its session id and process group, and what stdin holds.
    const pid = startDetached(['/bin/sh', '-c', 'echo "$$ $(ps -o sid= -p $$) $(ps -o pgid= -p $$)"; cat; echo end'], { logFile: log });
    await until(() => readFileSync(log, 'utf8').includes('end'), 10_000);
    const [first, second] = readFileSync(log, 'utf8').trim().split('\n');
    const [self, sid, pgid] = first!.trim().split(/\s+/).map(Number);
    expect(self).toBe(pid);
    expect(sid).toBe(pid); // setsid: the session leader is the child itself
    expect(pgid).toBe(pid);
    expect(second).toBe('end'); // stdin is /dev/null: cat read nothing
    expect(spawnSync('ps', ['-o', 'sid=', '-p', String(process.pid)], { encoding: 'utf8' }).stdout.trim()).not.toBe(String(pid));
  });

  it('says so when the program cannot start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-detached-'));
    expect(() => startDetached([join(dir, 'no-such-program')], { logFile: join(dir, 'log') })).toThrow();
  });
});
