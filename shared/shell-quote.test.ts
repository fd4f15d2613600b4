/**
 * formatArgv: what a user pastes into a shell runs exactly the argv the
 * line was made from. Checked by running the quoted line in the real shells of this machine
 * (dash as sh, and bash) and reading back each argument NUL-separated.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hasUnsafeControls } from './control-chars';
import { formatArgv, shellQuote, writeFileLine } from './shell-quote';
import { hostileArg } from './testing/text-arbitraries';

const SHELLS = ['sh', 'bash'].filter((s) => spawnSync(s, ['-c', 'exit 0']).status === 0);
const tmp = mkdtempSync(join(tmpdir(), 'passthru-quote-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `line` in `shell` (UTF-8 locale) and returns what it printed, split at NULs. */
function run(shell: string, line: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = spawnSync(shell, ['-c', line], { env: { ...process.env, LC_ALL: 'C.UTF-8', ...env }, encoding: 'utf8' });
  expect(r.status, `${shell} -c ${JSON.stringify(line)}: ${r.stderr}`).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('formatArgv: pasted into sh or bash, it yields exactly the argv', () => {
  it('has shells to test with', () => {
    expect(SHELLS).toContain('sh');
  });

  it.each(SHELLS)('any arguments round-trip through %s (fast-check)', (shell) => {
    fc.assert(
      fc.property(fc.array(hostileArg, { maxLength: 5 }), (args) => {
        // A first argument, so printf never runs with its format alone.
        const line = formatArgv(['printf', '%s\\0', 'first', ...args]);
        expect(run(shell, line)).toEqual(['first', ...args]);
      }),
      { numRuns: 150 },
    );
  });

  it.each(SHELLS)("the review's cases and the edges round-trip through %s", (shell) => {
    const cases = [
      '/var/lib/vm $(id).qcow2',
      '`id`',
      '$HOME',
      "it's",
      '',
      '-rf',
      '--',
      'a\nb',
      'tab\there',
      'é 中文 🙂',
      '\u001b]0;pwned\u0007',
      '\u009b2J',
      'x\u202eevil',
      '\\',
      '*',
      '~',
      '#c',
      'a=b',
      '%1',
      '!',
      '\r\n',
      'end\n',
      '\n',
    ];
    expect(run(shell, formatArgv(['printf', '%s\\0', ...cases]))).toEqual(cases);
  });

  it.each(SHELLS)('in first place, a word the shell would read as syntax runs as the command (%s)', (shell) => {
    const bin = join(tmp, `bin-${shell}`);
    const names = ['FOO=bar', 'if', 'time', 'while', 'a b', '$(id)', 'x\u001by', 'ok'];
    spawnSync('mkdir', ['-p', bin]);
    for (const name of names) {
      writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\0' "$(basename "$0")" "$@"\n`);
      chmodSync(join(bin, name), 0o755);
    }
    for (const name of names) {
      expect(run(shell, formatArgv([name, 'arg']), { PATH: `${bin}:/usr/bin:/bin` })).toEqual([name, 'arg']);
    }
  });

  it('never puts a terminal-acting character on the line; plain words stay unquoted', () => {
    fc.assert(fc.property(fc.array(hostileArg, { maxLength: 5 }), (args) => !hasUnsafeControls(formatArgv(args))));
    expect(formatArgv(['ip', '-j', 'link', 'set', 'dev', 'enp1s0', 'vf', '0', 'mac', '02:00:00:00:00:01'])).toBe('ip -j link set dev enp1s0 vf 0 mac 02:00:00:00:00:01');
    expect(formatArgv(['grubby', '--update-kernel=ALL', '--args=intel_iommu=on iommu=pt'])).toBe("grubby --update-kernel=ALL '--args=intel_iommu=on iommu=pt'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a\u001bb')).toBe(`'a'"$(printf '\\033')"'b'`);
  });

  it.each(SHELLS)('writeFileLine writes the content byte for byte (%s)', (shell) => {
    fc.assert(
      fc.property(hostileArg, (content) => {
        const file = join(tmp, `out ${shell} $x`);
        run(shell, writeFileLine(file, content));
        const back = spawnSync('cat', [file], { encoding: 'utf8' }).stdout;
        expect(back).toBe(content);
      }),
      { numRuns: 40 },
    );
  });
});
