import { describe, expect, it } from 'vitest';
import { assignVfPlan, makeRig } from '../apply/apply-test-support';
import { HELPER_EXIT, type HelperLine } from './helper-protocol';
import { runHelper } from './run-helper';

function deps(rig: ReturnType<typeof makeRig>, lines: HelperLine[]) {
  return { root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer, emit: (l: HelperLine) => lines.push(l) };
}

describe('runHelper', () => {
  it('applies a plan, streaming progress and ending with the result', async () => {
    const rig = makeRig();
    const lines: HelperLine[] = [];
    const code = await runHelper(JSON.stringify({ verb: 'apply', plan: assignVfPlan() }), deps(rig, lines));
    expect(code).toBe(HELPER_EXIT.OK);
    expect(lines.filter((l) => l.type === 'progress').length).toBe(6);
    expect(lines.at(-1)).toMatchObject({ type: 'result', result: { ok: true } });
    expect(rig.kernel.driverOf('0000:01:10.0')).toBe('vfio-pci');
  });

  it('refuses unknown verbs, extra fields and bad arguments, changing nothing', async () => {
    const rig = makeRig();
    for (const req of [
      'not json',
      JSON.stringify({ verb: 'shell', cmd: 'rm -rf /' }),
      JSON.stringify({ verb: 'apply', plan: assignVfPlan(), root: '/tmp' }),
      JSON.stringify({ verb: 'apply', plan: { ...assignVfPlan(), steps: [{ ...assignVfPlan().steps[0], op: { verb: 'unbind', address: '0000:01:10.0/../..', driver: 'igbvf' } }] } }),
    ]) {
      const lines: HelperLine[] = [];
      expect(await runHelper(req, deps(rig, lines))).toBe(HELPER_EXIT.BAD_REQUEST);
      expect(lines.at(-1)?.type).toBe('error');
    }
    expect(rig.kernel.writes).toEqual([]);
  });

  it('exits FAILED with a rolled-back result when a step fails', async () => {
    const rig = makeRig();
    rig.kernel.failNext('/unbind', 'EBUSY');
    const lines: HelperLine[] = [];
    expect(await runHelper(JSON.stringify({ verb: 'apply', plan: assignVfPlan() }), deps(rig, lines))).toBe(HELPER_EXIT.FAILED);
    expect(lines.at(-1)).toMatchObject({ type: 'result', result: { ok: false, rolledBack: true, failedStep: 'unbind' } });
  });
});
