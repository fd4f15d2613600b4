import { describe, expect, it } from 'vitest';
import type { ApplyResult, ChangeRequest } from '#shared/plan';

/** What ChangeService sends: an intent and the digest of the plan shown (never steps). */
const request: ChangeRequest = { intent: { kind: 'release', address: '0000:01:10.0' }, digest: 'a'.repeat(64), confirmText: null };
import { CommandError, type CommandRunner, type RunOptions } from '../exec/run-command';
import { runViaHelper } from './elevated-apply';

const exitWith =
  (code: number, stdout = '', stderr = ''): CommandRunner =>
  async (argv, o) => {
    for (const line of stdout.split('\n')) o?.onStdoutLine?.(line);
    throw new CommandError({ argv, failure: 'exit', exitCode: code, stdout, stderr });
  };

const okResult: ApplyResult = { planId: 'p', journalId: 'j', ok: true, failedStep: null, error: null, rolledBack: false, steps: [] };
const progressLine = (stepId: string) => JSON.stringify({ type: 'progress', progress: { planId: 'p', stepId, state: 'running', message: null } });

/** A runner that prints `lines` through onStdoutLine, noting each one, then exits 0. */
function printing(lines: string[], events: string[] = []) {
  const seen: { argv: readonly string[]; options?: RunOptions }[] = [];
  const run: CommandRunner = async (argv, options) => {
    seen.push({ argv, options });
    lines.forEach((line, i) => {
      events.push(`printed line ${i}`);
      options?.onStdoutLine?.(line);
    });
    events.push('exited');
    return { argv, exitCode: 0, stdout: lines.join('\n'), stderr: 'a warning\n', durationMs: 1 };
  };
  return { run, seen };
}

describe('runViaHelper', () => {
  it('runs pkexec with the helper and the request on stdin, passing each progress line on as it is printed', async () => {
    const events: string[] = [];
    const { run, seen } = printing([progressLine('a'), progressLine('b'), JSON.stringify({ type: 'result', result: okResult })], events);
    const result = await runViaHelper(run, request, { onProgress: (p) => events.push(`progress ${p.stepId}`) });
    expect(result).toEqual(okResult);
    expect(seen[0]?.argv).toEqual(['pkexec', '/usr/lib/passthru/passthru-helper']);
    expect(JSON.parse(seen[0]?.options?.input ?? '')).toEqual(request);
    expect(seen[0]?.options?.okExitCodes).toEqual([4]);
    expect(events).toEqual(['printed line 0', 'progress a', 'printed line 1', 'progress b', 'printed line 2', 'exited']);
  });

  it('passes each check of a change under confirm-or-revert on as the helper prints it, the pending change with the result', async () => {
    const events: string[] = [];
    const check = { check: { check: 'link-up', iface: 'br0' }, ok: true, detail: 'br0 is up.' };
    const pending = { ...okResult, checks: [check], pending: { journalId: 'j', deadline: '2026-12-07T10:02:00.000Z', seconds: 120 } };
    const { run } = printing([progressLine('a'), JSON.stringify({ type: 'check', check }), JSON.stringify({ type: 'result', result: pending })], events);
    const result = await runViaHelper(run, request, { onProgress: (p) => events.push(`progress ${p.stepId}`), onCheck: (c) => events.push(`check ${c.detail}`) });
    expect(result).toEqual(pending);
    expect(events).toEqual(['printed line 0', 'progress a', 'printed line 1', 'check br0 is up.', 'printed line 2', 'exited']);
  });

  it('uses the given helper command', async () => {
    const { run, seen } = printing([JSON.stringify({ type: 'result', result: okResult })]);
    await runViaHelper(run, request, { helperArgv: ['/tmp/fake-pkexec', '/tmp/helper.cjs'] });
    expect(seen[0]?.argv).toEqual(['/tmp/fake-pkexec', '/tmp/helper.cjs']);
  });

  it('skips lines that are not protocol lines, and shows them (with stderr) when no result comes', async () => {
    const progress: string[] = [];
    const stray = ['(node:1) SomeWarning', '{"type":"progress"}', '[1,2]', ''];
    const { run } = printing([...stray, progressLine('a'), JSON.stringify({ type: 'result', result: okResult })]);
    expect(await runViaHelper(run, request, { onProgress: (p) => progress.push(p.stepId) })).toEqual(okResult);
    expect(progress).toEqual(['a']);

    const { run: silent } = printing(stray);
    await expect(runViaHelper(silent, request)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'The helper ended without a result.',
      detail: '(node:1) SomeWarning\n{"type":"progress"}\n[1,2]\na warning',
    });
  });

  it('reports pkexec 126 as dismissed and 127 as not authorized', async () => {
    await expect(runViaHelper(exitWith(126), request)).rejects.toThrow(/dismissed/);
    await expect(runViaHelper(exitWith(127), request)).rejects.toThrow(/not authorized/);
  });

  it('says "not authorized" for 127 only when pkexec says so or says nothing', async () => {
    const rollback = request;
    // pkexec's own words when polkit refuses.
    const refused = 'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n';
    await expect(runViaHelper(exitWith(127, '', refused), rollback)).rejects.toMatchObject({ code: 'REFUSED', message: /not authorized/ });
    await expect(runViaHelper(exitWith(127, '', ''), rollback)).rejects.toMatchObject({ code: 'REFUSED', message: /not authorized/ });
  });

  it('reports 127 with other words from pkexec (helper or its interpreter missing) as a broken install', async () => {
    const rollback = request;
    for (const said of [
      // pkexec could not find the program; the kernel could not find the shebang's interpreter.
      'Error accessing /usr/lib/passthru/passthru-helper: No such file or directory\n',
      'Error executing /usr/lib/passthru/passthru-helper: No such file or directory\n',
      '/usr/lib/passthru/passthru-helper: cannot execute: required file not found\n',
    ]) {
      const err = await runViaHelper(exitWith(127, '', said), rollback).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'ENVIRONMENT',
        message: `pkexec could not start Passthru's helper: ${said.trim()}`,
        remedy: 'Reinstall passthru; the helper at /usr/lib/passthru/passthru-helper could not be started.',
        detail: said.trim(),
      });
      expect((err as Error).message).not.toMatch(/not authorized/i);
    }
  });

  it('rebuilds the helper error', async () => {
    const line = JSON.stringify({ type: 'error', error: { code: 'BAD_INPUT', message: 'There is no PCI device 0000:09:00.0 on this host.', remedy: null } });
    await expect(runViaHelper(exitWith(2, line), request)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('explains a missing pkexec', async () => {
    const missing: CommandRunner = async (argv) => {
      throw new CommandError({ argv, failure: 'not-found' });
    };
    await expect(runViaHelper(missing, request)).rejects.toMatchObject({ code: 'ENVIRONMENT', message: /pkexec is not installed/ });
  });
});
