import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '#shared/plan';
import { makeRig } from '../testing/apply-test-support';
import type { CommandRunner } from '../exec/run-command';
import { HELPER_PATH } from '../helper/helper-protocol';
import { ChangeService } from './change-service';
import { makeManagementNic } from '../testing/host-roles';
import { isHelperInstalled } from './elevated-apply';

const VF = '0000:01:10.0';

function service(rig: ReturnType<typeof makeRig>) {
  let n = 0;
  let t = Date.parse('2026-01-01T00:00:00Z');
  return new ChangeService({
    root: rig.root,
    stateDir: rig.stateDir,
    runCommand: rig.runner,
    writer: rig.kernel.writer,
    now: () => new Date((t += 1000)),
    idFactory: () => `id-${++n}`,
  });
}

describe('ChangeService on a fake kernel', () => {
  it('assign → assign again (noop) → release → undo → history', async () => {
    const rig = makeRig();
    const svc = service(rig);
    const assign = await svc.planChange({ kind: 'assign', address: VF });
    expect((await svc.apply(assign.id, {})).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
    expect(fs.existsSync(path.join(rig.root, 'dev/vfio/3'))).toBe(true);

    const again = await svc.planChange({ kind: 'assign', address: VF });
    expect(again.noop).toBe(true);
    const writes = rig.kernel.writes.length;
    expect((await svc.apply(again.id, {})).ok).toBe(true);
    expect(rig.kernel.writes.length).toBe(writes);

    const release = await svc.planChange({ kind: 'release', address: VF });
    // Back to the driver the assign recorded (the journal), not the release's own "before" (vfio-pci).
    expect(release.steps.at(-1)?.op).toEqual({ verb: 'probe', address: VF, expectDriver: 'igbvf' });
    expect((await svc.apply(release.id, {})).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(fs.existsSync(path.join(rig.root, 'dev/vfio/3'))).toBe(false);

    const undo = await svc.planUndo();
    expect(undo.kind).toBe('undo');
    expect((await svc.apply(undo.id, {})).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');

    const history = (await svc.history()).entries;
    expect(history.map((h) => [h.kind, h.state])).toEqual([
      ['undo', 'applied'],
      ['release', 'undone'],
      ['assign', 'applied'],
    ]);
  });

  it('refusals change nothing unless forced with the right confirmation', async () => {
    const rig = makeRig();
    makeManagementNic(rig.root, 'enp1s0v0');
    const svc = service(rig);
    const plan = await svc.planChange({ kind: 'assign', address: VF });
    expect(plan.refusal).toMatchObject({ forceable: true, confirmText: 'enp1s0v0' });
    await expect(svc.apply(plan.id, {})).rejects.toMatchObject({ code: 'REFUSED' });
    const forced = await svc.planChange({ kind: 'assign', address: VF, force: true });
    await expect(svc.apply(forced.id, { confirmText: 'eth0' })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(rig.kernel.writes).toEqual([]);
    const forced2 = await svc.planChange({ kind: 'assign', address: VF, force: true });
    expect((await svc.apply(forced2.id, { confirmText: 'enp1s0v0' })).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });

  it('refuses stale plans and plans it did not make', async () => {
    const rig = makeRig();
    const svc = service(rig);
    const plan = await svc.planChange({ kind: 'assign', address: VF });
    // The host changes behind our back: someone binds the VF to vfio-pci.
    const other = service(rig);
    await other.apply((await other.planChange({ kind: 'assign', address: VF })).id, {});
    await expect(svc.apply(plan.id, {})).rejects.toMatchObject({ code: 'REFUSED', message: expect.stringMatching(/not the one that was shown/) });
    await expect(svc.apply('made-up', {})).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('EBUSY on unbind: rolled back, device unchanged', async () => {
    const rig = makeRig();
    const svc = service(rig);
    rig.kernel.failNext('/unbind', 'EBUSY');
    const result = await svc.apply((await svc.planChange({ kind: 'assign', address: VF })).id, {});
    expect(result).toMatchObject({ ok: false, rolledBack: true, failedStep: `unbind-${VF}` });
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(svc.incomplete()).toEqual([]);
  });
});

describe('ChangeService without the installed helper (the AppImage)', () => {
  /** The rig's runner, except that `pkexec` is recorded and answers with a result line. */
  function recording(rig: ReturnType<typeof makeRig>) {
    const pkexecCalls: (readonly string[])[] = [];
    const run: CommandRunner = async (argv, options) => {
      if (argv[0] !== 'pkexec') return rig.runner(argv, options);
      pkexecCalls.push(argv);
      const result: ApplyResult = { planId: 'p', journalId: 'j', ok: true, failedStep: null, error: null, rolledBack: false, steps: [] };
      options?.onStdoutLine?.(JSON.stringify({ type: 'result', result }));
      return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
    };
    return { run, pkexecCalls };
  }

  it('says to install the deb or use sudo instead of running pkexec, and keeps the plan', async () => {
    const rig = makeRig();
    const { run, pkexecCalls } = recording(rig);
    let installed = false;
    const svc = new ChangeService({
      root: rig.root,
      stateDir: rig.stateDir,
      runCommand: run,
      inProcess: false,
      helperInstalled: () => installed,
    });
    expect(svc.route()).toBe('no-helper');
    const plan = await svc.planChange({ kind: 'assign', address: VF });
    const missing = {
      code: 'ENVIRONMENT',
      message: expect.stringContaining(`${HELPER_PATH} does not exist`),
      remedy: expect.stringMatching(
        /Install the \.deb package, or run `sudo passthru install-helper` where Passthru was installed with npm, or use Passthru's command line as root \(with sudo\)/,
      ),
    };
    await expect(svc.apply(plan.id, {})).rejects.toMatchObject(missing);
    expect(pkexecCalls).toEqual([]);
    expect(rig.kernel.writes).toEqual([]);

    // Once the deb is installed, the same plan goes to pkexec and the installed helper.
    installed = true;
    expect(svc.route()).toBe('helper');
    expect((await svc.apply(plan.id, {})).ok).toBe(true);
    expect(pkexecCalls).toEqual([['pkexec', HELPER_PATH]]);
  });

  it('does not ask about the installed helper for a given helper command or in-process', async () => {
    const rig = makeRig();
    const { run, pkexecCalls } = recording(rig);
    const never = (): boolean => {
      throw new Error('asked whether the helper is installed');
    };
    const given = new ChangeService({
      root: rig.root,
      stateDir: rig.stateDir,
      runCommand: run,
      inProcess: false,
      helperArgv: ['pkexec', '/tmp/other-helper'],
      helperInstalled: never,
    });
    expect((await given.apply((await given.planChange({ kind: 'assign', address: VF })).id, {})).ok).toBe(true);
    expect(pkexecCalls).toEqual([['pkexec', '/tmp/other-helper']]);
    expect(given.route()).toBe('helper');
    const local = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer, helperInstalled: never });
    expect(local.route()).toBe('as-root');
    expect((await local.apply((await local.planChange({ kind: 'assign', address: VF })).id, {})).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });

  it('checks the helper path on disk by default', () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'passthru-helper-path-'));
    try {
      const helper = path.join(dir, 'passthru-helper');
      expect(isHelperInstalled(helper)).toBe(false);
      fs.writeFileSync(helper, '#!/usr/bin/node\n', { mode: 0o755 });
      expect(isHelperInstalled(helper)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
