import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, formatArgv, runCommand } from './run-command';
import { toErrorData } from '#shared/errors';

async function failure(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return err as CommandError;
  }
  throw new Error('expected the command to fail');
}

describe('runCommand', () => {
  it('runs `true` and reports success', async () => {
    const result = await runCommand(['true']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.argv).toEqual(['true']);
  });

  it('collects stdout and passes arguments verbatim, without a shell', async () => {
    const result = await runCommand(['printf', '%s|', 'a b', '$HOME', '`id`;', "it's"]);
    expect(result.stdout).toBe("a b|$HOME|`id`;|it's|");
  });

  it('feeds input to stdin', async () => {
    const result = await runCommand(['cat'], { input: 'hello\n' });
    expect(result.stdout).toBe('hello\n');
  });

  it('rejects `false` with exit code 1 as a FAILED CommandError', async () => {
    const err = await failure(runCommand(['false']));
    expect(err.failure).toBe('exit');
    expect(err.exitCode).toBe(1);
    expect(err.code).toBe('FAILED');
    expect(toErrorData(err).code).toBe('FAILED');
  });

  it('carries exit code, stdout and stderr of a failing command', async () => {
    const err = await failure(runCommand(['sh', '-c', 'echo out; echo x >&2; exit 3']));
    expect(err.exitCode).toBe(3);
    expect(err.stdout).toBe('out\n');
    expect(err.stderr).toBe('x\n');
    expect(err.detail).toBe('x');
    expect(err.message).toBe("`sh -c 'echo out; echo x >&2; exit 3'` failed with exit status 3.");
  });

  it('accepts extra ok exit codes', async () => {
    const result = await runCommand(['sh', '-c', 'exit 1'], { okExitCodes: [1] });
    expect(result.exitCode).toBe(1);
  });

  it('reports a missing program as not-found / ENVIRONMENT', async () => {
    const err = await failure(runCommand(['passthru-no-such-program-xyz', '--version']));
    expect(err.failure).toBe('not-found');
    expect(err.code).toBe('ENVIRONMENT');
    expect(err.remedy).toContain('passthru-no-such-program-xyz');
  });

  it('kills a command that exceeds its timeout', async () => {
    const started = Date.now();
    const err = await failure(runCommand(['sleep', '30'], { timeoutMs: 200 }));
    expect(err.failure).toBe('timeout');
    expect(err.signalName).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills what the command forked, too (its whole process group)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passthru-exec-'));
    try {
      const marker = join(dir, 'survived');
      // The shell forks a sleeper that would write the marker if it outlived the timeout.
      const script = `(sleep 1; touch '${marker}') & wait`;
      const err = await failure(runCommand(['sh', '-c', script], { timeoutMs: 200 }));
      expect(err.failure).toBe('timeout');
      await new Promise((r) => setTimeout(r, 1500));
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is cancelled by an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = runCommand(['sleep', '30'], { signal: controller.signal, timeoutMs: 0 });
    setTimeout(() => controller.abort(), 100);
    const err = await failure(pending);
    expect(err.failure).toBe('aborted');
  });

  it('does not start when the signal is already aborted', async () => {
    const err = await failure(runCommand(['true'], { signal: AbortSignal.abort() }));
    expect(err.failure).toBe('aborted');
  });

  it('stops a command whose output exceeds the cap', async () => {
    const err = await failure(runCommand(['sh', '-c', 'yes | head -c 100000'], { maxOutputBytes: 1000 }));
    expect(err.failure).toBe('output-limit');
  });

  it('sets LC_ALL=C so output parses the same everywhere, and merges extra env', async () => {
    const result = await runCommand(['sh', '-c', 'echo "$LC_ALL $PASSTHRU_T"'], { env: { PASSTHRU_T: 'yes' } });
    expect(result.stdout).toBe('C yes\n');
  });

  describe('onStdoutLine', () => {
    it('delivers each line while the command is still running', async () => {
      const events: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'passthru-exec-'));
      try {
        const marker = join(dir, 'second-line-printed');
        // The second line is printed only after a pause, and the marker says when that happened.
        const script = `echo one; sleep 0.3; touch '${marker}'; echo two`;
        const result = await runCommand(['sh', '-c', script], {
          onStdoutLine: (line) => events.push(`${line} (second printed: ${existsSync(marker)})`),
        });
        events.push('resolved');
        expect(events).toEqual(['one (second printed: false)', 'two (second printed: true)', 'resolved']);
        expect(result.stdout).toBe('one\ntwo\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('joins lines split across writes, keeps UTF-8 split across chunks, and delivers an unterminated last line', async () => {
      const lines: string[] = [];
      // "é" is 0xc3 0xa9: the first write ends in the middle of it; \r\n endings are trimmed too.
      const script = "printf 'par'; sleep 0.1; printf 'tial\\n\\303'; sleep 0.1; printf '\\251t\\r\\n\\nlast'";
      await runCommand(['sh', '-c', script], { onStdoutLine: (line) => lines.push(line) });
      expect(lines).toEqual(['partial', 'ét', '', 'last']);
    });

    it('lets the command finish when the callback throws, then rejects with that error', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'passthru-exec-'));
      try {
        const marker = join(dir, 'finished');
        const lines: string[] = [];
        const pending = runCommand(['sh', '-c', `echo bad; echo next; sleep 0.2; touch '${marker}'`], {
          onStdoutLine: (line) => {
            lines.push(line);
            throw new Error(`cannot handle ${line}`);
          },
        });
        await expect(pending).rejects.toThrow('cannot handle bad');
        expect(lines).toEqual(['bad']);
        expect(existsSync(marker)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not deliver the cut-off fragment of a command it stopped', async () => {
      const lines: string[] = [];
      const err = await failure(runCommand(['sh', '-c', "echo whole; printf 'cut'; sleep 30"], { timeoutMs: 300, onStdoutLine: (l) => lines.push(l) }));
      expect(err.failure).toBe('timeout');
      expect(err.stdout).toBe('whole\ncut');
      expect(lines).toEqual(['whole']);
    });
  });

  it('refuses an empty argv', async () => {
    await expect(runCommand([])).rejects.toThrow(/empty argv/);
  });
});

describe('formatArgv', () => {
  it('quotes only what a shell would split or expand', () => {
    expect(formatArgv(['ip', '-j', 'address', 'show'])).toBe('ip -j address show');
    expect(formatArgv(['sh', '-c', "echo 'x' $y"])).toBe(`sh -c 'echo '\\''x'\\'' $y'`);
    expect(formatArgv(['echo', ''])).toBe("echo ''");
  });
});
