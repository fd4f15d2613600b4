/**
 * The lab's own contract, which later suites (assign, SR-IOV, VM launch) build on: argv runs
 * without a shell, exit status/stdout/stderr/stdin/env/cwd come back, timeouts kill, commands
 * may overlap, files come out, and a host port reaches a service in the guest. One boot of
 * the smallest scenario.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLab, type LabHandle } from './boot';

// LAB_SCENARIOS (see scan-agrees.lab.test.ts) without virtio skips this file too.
const wanted = process.env.LAB_SCENARIOS?.split(',').map((s) => s.trim());

describe.skipIf(wanted && !wanted.includes('virtio'))('lab harness (virtio guest)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await bootLab('virtio', { forwards: [{ hostPort: 0, guestPort: 8080 }] });
  });
  afterAll(async () => {
    await lab?.shutdown();
  });

  it('passes argv through untouched (no shell) and returns status, stdout and stderr', async () => {
    const r = await lab.run(['sh', '-c', 'printf "%s|" "$@"; echo oops >&2; exit 7', 'sh', 'a b', '$HOME', "'q'"]);
    expect(r).toMatchObject({ code: 7, stdout: "a b|$HOME|'q'|", stderr: 'oops\n', signal: null });
  });

  it('feeds stdin, sets env and cwd, and runs as root in this checkout by default', async () => {
    expect((await lab.run(['cat'], { stdin: 'in\n' })).stdout).toBe('in\n');
    expect((await lab.run(['sh', '-c', 'echo "$X"'], { env: { X: 'y' } })).stdout).toBe('y\n');
    expect((await lab.run(['pwd'], { cwd: '/sys' })).stdout).toBe('/sys\n');
    expect((await lab.run(['id', '-u'])).stdout).toBe('0\n');
    expect((await lab.run(['pwd'])).stdout.trim()).toBe(path.resolve(__dirname, '..', '..'));
  });

  it('reports a missing program as status 127 and a signal as 128+N', async () => {
    expect((await lab.run(['no-such-program'])).code).toBe(127);
    expect((await lab.run(['sh', '-c', 'kill -TERM $$'])).code).toBe(143);
  });

  it('kills a command that outlives its timeout, and keeps working', async () => {
    await expect(lab.run(['sleep', '60'], { timeoutMs: 1500 })).rejects.toMatchObject({ kind: 'command-timeout' });
    expect((await lab.run(['true'])).code).toBe(0);
  });

  it('runs commands concurrently and streams output while they run', async () => {
    const chunks: string[] = [];
    const [a, b] = await Promise.all([lab.run(['sh', '-c', 'echo one; sleep 1; echo two'], { onStdout: (c) => chunks.push(c.toString()) }), lab.run(['echo', 'other'])]);
    expect(a.stdout).toBe('one\ntwo\n');
    expect(b.stdout).toBe('other\n');
    expect(chunks.join('')).toBe('one\ntwo\n');
  });

  it('copies a guest directory out', async () => {
    await lab.runOk(['sh', '-c', 'mkdir -p /tmp/out/sub && echo hi > /tmp/out/sub/f && ln -s sub/f /tmp/out/link']);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-copy-'));
    try {
      await lab.copyOut('/tmp/out', path.join(dir, 'out'));
      expect(readFileSync(path.join(dir, 'out', 'link'), 'utf8')).toBe('hi\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forwards a port on 127.0.0.1 to a service in the guest', async () => {
    const server = lab.run(['node', '-e', "require('http').createServer((q,r)=>{r.end('guest says hi');setTimeout(()=>process.exit(0),100)}).listen(8080,()=>console.log('up'))"], {
      timeoutMs: 60_000,
    });
    const port = lab.forwards[0]!.hostPort;
    let body = '';
    for (let i = 0; i < 60 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.text(),
        () => '',
      );
      if (!body) await new Promise((r) => setTimeout(r, 500));
    }
    expect(body).toBe('guest says hi');
    expect((await server).code).toBe(0);
  });
});
