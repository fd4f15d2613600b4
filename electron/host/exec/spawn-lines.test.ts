import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../testing/processes';
import { CommandError } from './run-command';
import { spawnLines, type LineStreamEnd } from './spawn-lines';

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('spawnLines', () => {
  it('hands over each line as the command prints it, and ends without error on status 0', async () => {
    const seen: { line: string; at: number }[] = [];
    const ends: LineStreamEnd[] = [];
    const stream = spawnLines(['sh', '-c', 'echo a; sleep 0.3; echo b'], (line) => seen.push({ line, at: Date.now() }), { onEnd: (e) => ends.push(e) });
    expect(stream.running).toBe(true);
    expect(stream.pid).toBeGreaterThan(0);
    const end = await stream.ended;
    expect(seen.map((s) => s.line)).toEqual(['a', 'b']);
    // 'a' arrived while the command was still sleeping, not when it ended.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(200);
    expect(end).toMatchObject({ stopped: false, error: null, exitCode: 0, signalName: null });
    expect(ends).toEqual([end]);
    expect(stream.running).toBe(false);
  });

  it('passes argv verbatim, without a shell, and delivers an unterminated last line', async () => {
    const lines: string[] = [];
    await spawnLines(['printf', '%s\\n%s', 'a b; $HOME', '`id`'], (l) => lines.push(l)).ended;
    expect(lines).toEqual(['a b; $HOME', '`id`']);
  });

  it('keeps stderr and says why a command ended on its own', async () => {
    const end = await spawnLines(['sh', '-c', 'echo out; echo oops >&2; exit 3'], () => undefined).ended;
    expect(end.error).toBeInstanceOf(CommandError);
    expect((end.error as CommandError).failure).toBe('exit');
    expect(end).toMatchObject({ stopped: false, exitCode: 3, stderr: 'oops\n' });
    expect((end.error as CommandError).detail).toBe('oops');
  });

  it('reports a missing program as not-found, once', async () => {
    const ends: LineStreamEnd[] = [];
    const stream = spawnLines(['passthru-no-such-monitor-xyz'], () => undefined, { onEnd: (e) => ends.push(e) });
    const end = await stream.ended;
    expect((end.error as CommandError).failure).toBe('not-found');
    expect((end.error as CommandError).code).toBe('ENVIRONMENT');
    await new Promise((r) => setTimeout(r, 50));
    expect(ends).toHaveLength(1);
  });

  it('stop() kills the child and no line arrives after it', async () => {
    const lines: string[] = [];
    const stream = spawnLines(['sh', '-c', 'while :; do echo tick; sleep 0.01; done'], (l) => lines.push(l));
    await waitFor(() => lines.length >= 3);
    const pid = stream.pid!;
    stream.stop();
    const count = lines.length;
    expect(stream.running).toBe(false);
    const end = await stream.ended;
    expect(end).toMatchObject({ stopped: true, error: null, signalName: 'SIGTERM' });
    expect(lines).toHaveLength(count);
    expect(processAlive(pid)).toBe(false);
    stream.stop(); // twice is harmless
  });

  it('stops a command whose line never ends, past the limit', async () => {
    const end = await spawnLines(['sh', '-c', 'while :; do printf xxxxxxxxxx; done'], () => undefined, { maxLineLength: 1000 }).ended;
    expect((end.error as CommandError).failure).toBe('output-limit');
  });

  it('a listener that throws stops the command, and the error is what ended it', async () => {
    const end = await spawnLines(['sh', '-c', 'while :; do echo x; sleep 0.01; done'], () => {
      throw new Error('listener broke');
    }).ended;
    expect(end.error?.message).toBe('listener broke');
  });

  it('keeps no process alive: a script that starts a stream exits at once, and the child dies with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-spawn-lines-'));
    try {
      const script = join(dir, 'start-stream.cjs');
      const bundle = await build({
        stdin: {
          contents: "import { spawnLines } from './spawn-lines'; const s = spawnLines(['sleep', '30'], () => undefined); setTimeout(() => console.log(s.pid), 100);",
          resolveDir: __dirname,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        write: false,
        logLevel: 'silent',
      });
      writeFileSync(script, bundle.outputFiles[0]!.text);
      const started = Date.now();
      const pid = Number(execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 }).trim());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(pid).toBeGreaterThan(0);
      await waitFor(() => !processAlive(pid), 2_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
