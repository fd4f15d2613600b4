import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_CHOOSES } from '#shared/plan';
import { assignVfPlan, makeRig, planAndApply, step } from '../testing/apply-test-support';

const VF = '0000:01:10.0';

describe('ApplyEngine on a fake kernel', () => {
  it('applies, verifies and journals every step; the VF ends on vfio-pci with /dev/vfio/3', async () => {
    const rig = makeRig();
    const progress: string[] = [];
    const result = await rig.engine().apply(assignVfPlan(), { onProgress: (p) => progress.push(`${p.stepId}:${p.state}`) });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.state)).toEqual(['done', 'done', 'done']);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
    expect(fs.existsSync(path.join(rig.root, 'dev/vfio/3'))).toBe(true);
    expect(progress).toEqual(['unbind:running', 'unbind:done', 'override:running', 'override:done', 'bind:running', 'bind:done']);
    const [entry] = rig.engine().store.history().entries;
    expect(entry?.state).toBe('applied');
    expect(entry?.journalId).toBe(result.journalId);
  });

  it('EBUSY on unbind: reports the failed step in plain words and changes nothing', async () => {
    const rig = makeRig();
    rig.kernel.failNext('/drivers/igbvf/unbind', 'EBUSY');
    const result = await rig.engine().apply(assignVfPlan());
    expect(result.ok).toBe(false);
    expect(result.failedStep).toBe('unbind');
    expect(result.error?.message).toMatch(/EBUSY.*busy/);
    expect(result.rolledBack).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(rig.engine().store.history().entries[0]?.state).toBe('rolled-back');
  });

  it('a failure on the bind undoes the done steps in reverse and restores the original driver', async () => {
    const rig = makeRig();
    rig.kernel.failNext('/drivers_probe', 'ENODEV');
    const result = await rig.engine().apply(assignVfPlan());
    expect(result).toMatchObject({ ok: false, failedStep: 'bind', rolledBack: true });
    expect(result.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'undone']);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(fs.readFileSync(path.join(rig.root, `sys/bus/pci/devices/${VF}/driver_override`), 'utf8')).toBe('(null)\n');
  });

  it('crash between unbind and bind: the next run finds the entry and rolls it back through an undo plan', async () => {
    const rig = makeRig();
    const plan = assignVfPlan();
    const first = rig.engine();
    const store = first.store;
    // Run the first step for real through the engine, then "die" by journaling by hand.
    const partial = { ...plan, steps: plan.steps.slice(0, 1) };
    await first.apply(partial);
    const [rec] = store.all();
    expect(rig.kernel.driverOf(VF)).toBe(null);
    // Re-write the journal as the dying process left it: step 1 done, step 2 running, 'applying'.
    store.save({
      ...rec!,
      state: 'applying',
      finishedAt: null,
      steps: plan.steps.map((s, i) => ({ id: s.id, op: s.op, undo: s.undo, state: i === 0 ? 'done' : i === 1 ? 'running' : 'pending', error: null })),
    });
    const next = rig.executor();
    const [left] = next.journal.incomplete();
    expect(left?.journalId).toBe(rec!.journalId);
    const rollback = await next.plan({ kind: 'undo', journalId: left!.journalId });
    // The running step may have taken effect: it is undone too, newest first.
    expect(rollback.steps.map((s) => s.op.verb)).toEqual(['set-driver-override', 'probe']);
    const result = await planAndApply(next, { kind: 'undo', journalId: left!.journalId });
    expect(result.ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(next.journal.incomplete()).toEqual([]);
    expect(next.journal.load(rec!.journalId)?.state).toBe('rolled-back');
  });

  it('killed mid-plan (the override write never returns): a new engine rolls back what was journaled', async () => {
    const rig = makeRig();
    rig.kernel.hangNext('/driver_override');
    void rig.engine().apply(assignVfPlan()); // the "process" that dies: never settles
    await new Promise((r) => setTimeout(r, 50));
    expect(rig.kernel.driverOf(VF)).toBe(null); // unbind done, bind never happened: half-done
    const next = rig.executor();
    const [left] = next.journal.incomplete();
    expect(left?.steps.map((s) => s.state)).toEqual(['done', 'running', 'pending']);
    const result = await planAndApply(next, { kind: 'undo', journalId: left!.journalId });
    expect(result).toMatchObject({ ok: true });
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(fs.readFileSync(path.join(rig.root, `sys/bus/pci/devices/${VF}/driver_override`), 'utf8')).toBe('(null)\n');
    const states = Object.fromEntries(next.journal.history().entries.map((e) => [e.journalId, e.state]));
    expect(states[left!.journalId]).toBe('rolled-back');
  });

  it('re-validates every argument before touching anything', async () => {
    const rig = makeRig();
    const bad = (op: Parameters<typeof step>[1]) => ({ ...assignVfPlan(), steps: [step('x', op, null)] });
    const e = rig.engine();
    await expect(e.apply(bad({ verb: 'unbind', address: '0000:01:00.0/../../etc', driver: 'igb' }))).rejects.toThrow(/full PCI address/);
    await expect(e.apply(bad({ verb: 'unbind', address: '0000:01:20.0', driver: 'igb' }))).rejects.toThrow(/full PCI address/);
    await expect(e.apply(bad({ verb: 'unbind', address: '0000:01:00.8', driver: 'igb' }))).rejects.toThrow(/full PCI address/);
    await expect(e.apply(bad({ verb: 'unbind', address: '0000:09:00.0', driver: 'vfio-pci' }))).rejects.toThrow(/no PCI device/);
    await expect(e.apply(bad({ verb: 'set-driver-override', address: VF, driver: 'vfio-pci\nnvme' }))).rejects.toThrow(/valid driver/);
    await expect(e.apply(bad({ verb: 'set-driver-override', address: VF, driver: 'nvme' }))).rejects.toThrow(/recorded original/);
    await expect(e.apply(bad({ verb: 'load-module', module: 'evil' as 'vfio-pci' }))).rejects.toThrow(/allowlist/);
    await expect(e.apply(bad({ verb: 'rm-rf' } as never))).rejects.toThrow(/Unknown/);
    expect(rig.kernel.writes).toEqual([]);
    expect(e.store.all()).toEqual([]);
  });

  it('a noop plan succeeds without writing or journaling', async () => {
    const rig = makeRig();
    const result = await rig.engine().apply({ ...assignVfPlan(), noop: true, steps: [] });
    expect(result.ok).toBe(true);
    expect(rig.kernel.writes).toEqual([]);
    expect(rig.engine().store.all()).toEqual([]);
  });
});

describe('ApplyEngine giving a device back', () => {
  /** Release of the VF assigned by assignVfPlan: its "before" state is vfio-pci, it restores igbvf. */
  function releaseVfPlan(restore: string) {
    const a = '0000:01:10.0';
    return {
      ...assignVfPlan('release-1'),
      kind: 'release' as const,
      steps: [
        step('unbind', { verb: 'unbind', address: a, driver: 'vfio-pci' }, { verb: 'probe', address: a, expectDriver: 'vfio-pci' }),
        step('override', { verb: 'set-driver-override', address: a, driver: null }, { verb: 'set-driver-override', address: a, driver: 'vfio-pci' }),
        restore === KERNEL_CHOOSES
          ? step('probe', { verb: 'probe', address: a, expectDriver: KERNEL_CHOOSES }, null)
          : step('probe', { verb: 'probe', address: a, expectDriver: restore }, { verb: 'unbind', address: a, driver: restore }),
      ],
      original: { [a]: { driver: 'vfio-pci', driverOverride: 'vfio-pci' } },
    };
  }

  it('restores the recorded driver, which is not in the release plan own "before" state', async () => {
    const rig = makeRig();
    expect((await rig.engine().apply(assignVfPlan())).ok).toBe(true);
    const result = await rig.engine().apply(releaseVfPlan('igbvf'));
    expect(result.ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
  });

  it('refuses a release that names a driver the kernel has not registered, before touching anything', async () => {
    const rig = makeRig();
    expect((await rig.engine().apply(assignVfPlan())).ok).toBe(true);
    await expect(rig.engine().apply(releaseVfPlan('nvme'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });

  it('with no record of the original driver, accepts whatever the kernel binds', async () => {
    const rig = makeRig();
    expect((await rig.engine().apply(assignVfPlan())).ok).toBe(true);
    const result = await rig.engine().apply(releaseVfPlan(KERNEL_CHOOSES));
    expect(result.ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
  });

  it('with no record, still fails (and rolls back) when the device stays on vfio-pci', async () => {
    const rig = makeRig();
    expect((await rig.engine().apply(assignVfPlan())).ok).toBe(true);
    // Skip clearing the override, so the re-probe binds vfio-pci again.
    const plan = releaseVfPlan(KERNEL_CHOOSES);
    const result = await rig.engine().apply({ ...plan, steps: [plan.steps[0]!, plan.steps[2]!] });
    expect(result).toMatchObject({ ok: false, failedStep: 'probe', rolledBack: true });
    expect(result.error?.message).toMatch(/still bound to vfio-pci/);
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });
});
