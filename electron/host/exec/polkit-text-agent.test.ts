/**
 * polkit's text agent for `passthru serve` run as a normal user: started registered for serve's
 * own process, trusted only once it says polkit accepted it (`--notify-fd`), and reported as
 * no prompt, with the reason, when it is missing, refused, silent or there is no terminal.
 * The fake pkttyagents here are shell scripts acting out what the real one does; the last test
 * runs the real `passthru serve` as an unprivileged user in a pseudo-terminal.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, processAlive } from '../testing/processes';
import { startTerminalAgent } from './polkit-text-agent';
import { buildServe, type BuiltServe } from '../../serve/testing/serve-test-support';

const dir = mkdtempSync(join(tmpdir(), 'passthru-tty-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake pkttyagent: records its arguments and pid in `record`, then runs `body`. */
function fakeAgent(name: string, body: string): { program: string; record: string } {
  const program = join(dir, name);
  const record = join(dir, `${name}.args`);
  writeFileSync(program, `#!/bin/sh\necho "$$ $*" > '${record}'\n${body}\n`, { mode: 0o755 });
  return { program, record };
}

describe('polkit’s text agent for passthru serve', () => {
  it('is registered for serve’s own process and trusted once it closes the notify pipe; stop() ends it', async () => {
    // What pkttyagent does once polkit accepted it: close the fd, then wait for requests.
    const { program, record } = fakeAgent('registers', 'exec 3>&-\nexec sleep 600');
    const agent = await startTerminalAgent({ pid: 4242, terminal: true, program });
    expect(agent.prompt).toBe('terminal');
    expect(agent.reason).toBeNull();
    const [pid, ...args] = readFileSync(record, 'utf8').trim().split(' ');
    expect(args).toEqual(['--process', '4242', '--fallback', '--notify-fd', '3']);
    agent.stop();
    expect(await eventually(() => !processAlive(Number(pid)))).toBe(true);
    // Gone, so no longer a prompt the header may promise.
    expect(await eventually(() => agent.prompt === 'none')).toBe(true);
  });

  it('is no prompt, with polkit’s own words, when the registration is refused', async () => {
    const { program } = fakeAgent('refused', "echo 'Error registering authentication agent: GDBus.Error: Cannot determine user of subject' >&2\nexit 1");
    const agent = await startTerminalAgent({ pid: 1, terminal: true, program });
    expect(agent.prompt).toBe('none');
    expect(agent.reason).toBe(`${program} ended with status 1: Error registering authentication agent: GDBus.Error: Cannot determine user of subject`);
  });

  it('is no prompt when the fd closes because the agent died, not because it registered', async () => {
    const { program } = fakeAgent('dies', 'exec 3>&-\nexit 3');
    const agent = await startTerminalAgent({ pid: 1, terminal: true, program });
    expect(agent.prompt).toBe('none');
    expect(agent.reason).toMatch(/ended with status 3/);
  });

  it('gives up on an agent polkit never answers, and stops it', async () => {
    const { program, record } = fakeAgent('silent', 'exec sleep 600');
    const agent = await startTerminalAgent({ pid: 1, terminal: true, program, timeoutMs: 500 });
    expect(agent.prompt).toBe('none');
    expect(agent.reason).toBe(`polkit did not accept ${program} within 0.5 s`);
    const pid = Number(readFileSync(record, 'utf8').split(' ')[0]);
    expect(await eventually(() => !processAlive(pid))).toBe(true);
  });

  it('says so when pkttyagent is not installed, and does not start one without a terminal', async () => {
    const missing = await startTerminalAgent({ pid: 1, terminal: true, program: join(dir, 'no-such-agent') });
    expect(missing).toMatchObject({ prompt: 'none', reason: `${join(dir, 'no-such-agent')} is not installed (Debian's polkitd package has it)` });
    const { program, record } = fakeAgent('unused', 'exit 0');
    const noTerminal = await startTerminalAgent({ pid: 1, terminal: false, program });
    expect(noTerminal).toMatchObject({ prompt: 'none', reason: 'serve has no terminal to ask in (its standard input is not one)' });
    expect(existsSync(record)).toBe(false);
  });
});

describe('passthru serve as a normal user in a terminal', () => {
  let built: BuiltServe;
  beforeAll(async () => {
    built = await buildServe();
  }, 120_000);
  afterAll(() => built?.dispose());

  it('runs polkit’s text agent for itself and says the password is asked in this terminal', async () => {
    // An unprivileged user must read the bundle and run the fake agent: open up the test's directories.
    for (const d of [dirname(dirname(built.cli)), dirname(built.cli), dir]) chmodSync(d, 0o755);
    const bin = mkdtempSync(join(dir, 'bin-'));
    chmodSync(bin, 0o777);
    const record = join(bin, 'pkttyagent.args');
    writeFileSync(join(bin, 'pkttyagent'), `#!/bin/sh\necho "$$ $*" > '${record}'\nexec 3>&-\nexec sleep 600\n`, { mode: 0o755 });
    const state = mkdtempSync(join(dir, 'state-'));
    chmodSync(state, 0o777);
    const serve = [process.execPath, built.cli, 'serve', '--port', '0', '--state-dir', state];
    // Root would apply in-process and need no agent: run it as nobody, as a user on a server would run it.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...serve] : serve;
    if (spawnSync('python3', ['-c', 'import pty']).status !== 0) throw new Error('python3 (for a pseudo-terminal) is missing: apt-get install python3');
    // python's pty.spawn gives serve a pseudo-terminal as its controlling terminal and stdin.
    const child: ChildProcess = spawn('python3', ['-c', 'import pty, sys; pty.spawn(sys.argv[1:])', ...asUser], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PASSTHRU_RESTRICT_NAT: '1' },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    let servePid = 0;
    let agentPid = 0;
    try {
      expect(await eventually(() => /Ctrl-C stops it/.test(output), 60_000), output).toBe(true);
      expect(output).toContain('polkit asks for the password here, in this terminal');
      const [pid, ...args] = readFileSync(record, 'utf8').trim().split(' ');
      agentPid = Number(pid);
      expect(args.slice(0, 1).concat(args.slice(2))).toEqual(['--process', '--fallback', '--notify-fd', '3']);
      servePid = Number(args[1]);
      // Registered for serve itself, whose child pkexec would be.
      expect(readFileSync(`/proc/${servePid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([built.cli, 'serve']));
      process.kill(servePid, 'SIGTERM');
      expect(await eventually(() => child.exitCode !== null, 20_000), output).toBe(true);
      // Stopping serve stops its agent.
      expect(await eventually(() => !processAlive(agentPid))).toBe(true);
    } finally {
      for (const pid of [servePid, agentPid]) if (pid && processAlive(pid)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  }, 90_000);
});
