/**
 * `passthru serve` run by a normal user in a terminal, on a host without a desktop: it starts
 * polkit's text agent for itself, and polkit — the real polkitd on a real system bus, in the
 * guest — accepts it, so a password for the page's changes would be asked in that terminal.
 * The unit tests (electron/host/exec/polkit-text-agent.test.ts) act the agent out; this is the
 * agent and polkit themselves. The guest has no systemd, so the test starts the system bus and
 * polkitd, as a host's init would.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from './boot';
import { runs, useLab } from './checks/use-lab';

const CLI = path.resolve(__dirname, '../../dist/cli/passthru.cjs');
/** python's pty.spawn: the server gets a pseudo-terminal as its controlling terminal, as in an SSH session. */
const IN_A_TERMINAL = ['python3', '-c', 'import pty, sys; pty.spawn(sys.argv[1:])'];

describe.runIf(runs('seed'))('passthru serve asks for the password in its own terminal, through polkit (seed)', () => {
  const lab = useLab('seed', 'serve-polkit');

  it('as an unprivileged user in a terminal, its text agent is accepted by polkitd, registered for the server itself', async () => {
    const guest = lab();
    await guest.runOk(['sh', '-c', 'mkdir -p /run/dbus && dbus-daemon --system --fork']);
    const polkitd = guest.run(['/usr/lib/polkit-1/polkitd', '--no-debug'], { timeoutMs: 600_000 }).catch((e: Error) => e);
    let owned = '';
    for (let i = 0; i < 120 && !owned.includes('true'); i++) {
      const r = await guest.run([
        'dbus-send',
        '--system',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.PolicyKit1',
      ]);
      owned = r.stdout;
      if (!owned.includes('true')) await new Promise((r) => setTimeout(r, 500));
    }
    expect(owned, 'polkitd took its name on the system bus').toContain('boolean true');

    let output = '';
    const serve: Promise<RunResult | Error> = guest
      .run(
        ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...IN_A_TERMINAL, process.execPath, CLI, 'serve', '--port', '0', '--state-dir', '/tmp/serve-polkit-state'],
        {
          timeoutMs: 600_000,
          env: { PASSTHRU_RESTRICT_NAT: '1' },
          onStdout: (d) => (output += String(d)),
          onStderr: (d) => (output += String(d)),
        },
      )
      .catch((e: Error) => e);
    try {
      for (let i = 0; i < 240 && !/Ctrl-C stops it/.test(output); i++) await new Promise((r) => setTimeout(r, 500));
      expect(output).toMatch(/Ctrl-C stops it/);
      expect(output, output).toContain('polkit asks for the password here, in this terminal');
      // The agent runs as the user, registered for the server's own process (pkexec's subject
      // is its parent: the server), and is the server's child.
      const agent = /^(\d+) pkttyagent --process (\d+) --fallback --notify-fd 3$/m.exec((await guest.runOk(['pgrep', '-a', '-u', '65534', 'pkttyagent'])).stdout);
      expect(agent, 'a pkttyagent of the user runs').not.toBeNull();
      const [, agentPid, subject] = agent!;
      expect((await guest.runOk(['ps', '-o', 'ppid=', '-p', agentPid!])).stdout.trim()).toBe(subject);
      expect((await guest.runOk(['cat', `/proc/${subject}/cmdline`])).stdout.split('\0')).toEqual(expect.arrayContaining([CLI, 'serve']));
    } finally {
      await guest.run(['pkill', '-TERM', '-u', '65534', '-f', `${CLI} serve`]);
      await Promise.race([serve, new Promise((r) => setTimeout(r, 20_000))]);
      await guest.run(['pkill', '-TERM', 'polkitd']);
      await Promise.race([polkitd, new Promise((r) => setTimeout(r, 10_000))]);
    }
    // Stopping the server stopped its agent.
    expect((await guest.run(['pgrep', '-u', '65534', 'pkttyagent'])).stdout.trim()).toBe('');
  }, 600_000);
});
