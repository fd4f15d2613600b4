import { describe, expect, it } from 'vitest';
import { CommandError, type CommandRunner } from '../exec/run-command';
import { assignVfPlan } from '../apply/apply-test-support';
import { runViaHelper } from './elevated-apply';

const exitWith = (code: number, stdout = ''): CommandRunner => async (argv) => {
  throw new CommandError({ argv, failure: 'exit', exitCode: code, stdout });
};

describe('runViaHelper', () => {
  it('runs pkexec with the helper, the request on stdin, and replays progress', async () => {
    const seen: { argv: readonly string[]; input?: string }[] = [];
    const result = { planId: 'p', journalId: 'j', ok: true, failedStep: null, error: null, rolledBack: false, steps: [] };
    const run: CommandRunner = async (argv, o) => {
      seen.push({ argv, input: o?.input });
      const lines = [{ type: 'progress', progress: { planId: 'p', stepId: 's', state: 'running', message: null } }, { type: 'result', result }];
      return { argv, exitCode: 0, stdout: lines.map((l) => JSON.stringify(l)).join('\n'), stderr: '', durationMs: 1 };
    };
    const progress: string[] = [];
    expect(await runViaHelper(run, { verb: 'apply', plan: assignVfPlan() }, (p) => progress.push(p.stepId))).toEqual(result);
    expect(seen[0]?.argv).toEqual(['pkexec', '/usr/lib/passthru/passthru-helper']);
    expect(JSON.parse(seen[0]?.input ?? '')).toMatchObject({ verb: 'apply' });
    expect(progress).toEqual(['s']);
  });

  it('reports pkexec 126 as dismissed and 127 as not authorized', async () => {
    await expect(runViaHelper(exitWith(126), { verb: 'rollback', journalId: 'j' })).rejects.toThrow(/dismissed/);
    await expect(runViaHelper(exitWith(127), { verb: 'rollback', journalId: 'j' })).rejects.toThrow(/not authorized/);
  });

  it('rebuilds the helper error', async () => {
    const line = JSON.stringify({ type: 'error', error: { code: 'BAD_INPUT', message: 'There is no PCI device 0000:09:00.0 on this host.', remedy: null } });
    await expect(runViaHelper(exitWith(2, line), { verb: 'rollback', journalId: 'j' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
