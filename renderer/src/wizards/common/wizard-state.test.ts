import { describe, expect, it } from 'vitest';
import { groupOutcome } from '#shared/plan';
import {
  sampleAssignPlan,
  sampleDiskPlan,
  sampleFailedResult,
  sampleManagementPlan,
  sampleNoopPlan,
  sampleOkResult,
  sampleSriovPlan,
  sampleVfPlan,
} from '../../testing/sample-plans';
import {
  canApply,
  confirmFor,
  describeVfChange,
  initialWizard,
  mergeProgress,
  noopSentence,
  refusalCleared,
  resultSentence,
  wizardReducer,
  type WizardState,
} from './wizard-state';

const assignReq = { kind: 'assign' as const, address: '0000:01:00.1', group: false, persist: false, force: false };

function run(s: WizardState, ...actions: Parameters<typeof wizardReducer>[1][]): WizardState {
  return actions.reduce(wizardReducer, s);
}

describe('wizard reducer', () => {
  it('plans, shows checks, previews and applies with progress to a result', () => {
    const plan = sampleAssignPlan();
    let s = run(initialWizard(assignReq), { type: 'planned', plan });
    expect(s.phase).toBe('checks');
    expect(Object.values(s.progress).every((p) => p.state === 'pending')).toBe(true);
    expect(canApply(s)).toBe(false);
    s = run(s, { type: 'goto', phase: 'plan' });
    expect(canApply(s)).toBe(true);
    s = run(s, { type: 'apply' });
    expect(s.phase).toBe('applying');
    s = run(s, { type: 'progress', progress: { planId: plan.id, stepId: plan.steps[0]!.id, state: 'running', message: null } });
    expect(s.progress[plan.steps[0]!.id]?.state).toBe('running');
    s = run(s, { type: 'applied', result: sampleOkResult(plan) });
    expect(s.phase).toBe('result');
    expect(Object.values(s.progress).every((p) => p.state === 'done')).toBe(true);
  });

  it('collects the checks of confirm-or-revert for its own plan as they settle, afresh at each apply', () => {
    const plan = sampleAssignPlan();
    const check = { check: { check: 'link-up' as const, iface: 'br0' }, ok: true, detail: 'br0 is up.' };
    let s = run(initialWizard(assignReq), { type: 'planned', plan }, { type: 'goto', phase: 'plan' }, { type: 'apply' });
    s = run(s, { type: 'check', planId: plan.id, check }, { type: 'check', planId: 'another-plan', check });
    expect(s.checks).toEqual([check]);
    expect(run(s, { type: 'applied', result: sampleOkResult(plan) }).checks).toEqual([check]);
  });

  it('re-plans when an option changes, keeping the user on the checks', () => {
    let s = run(initialWizard(assignReq), { type: 'planned', plan: sampleAssignPlan() });
    s = run(s, { type: 'replan', request: { ...assignReq, group: true } });
    expect(s.phase).toBe('planning');
    expect(s.request).toMatchObject({ group: true });
    s = run(s, { type: 'planned', plan: sampleAssignPlan({ group: true }) });
    expect(s.plan && groupOutcome(s.plan)?.groupViable).toBe(true);
    expect(s.phase).toBe('checks');
  });

  it('never applies a refusal that cannot be forced, nor a noop', () => {
    for (const plan of [sampleDiskPlan(), sampleNoopPlan()]) {
      const s = run(initialWizard(assignReq), { type: 'planned', plan }, { type: 'goto', phase: 'plan' }, { type: 'apply' });
      expect(refusalCleared(s)).toBe(false);
      expect(s.phase).toBe('plan');
    }
  });

  it('forcing the management NIC re-plans with force and needs the exact interface name', () => {
    let s = run(initialWizard(assignReq), { type: 'planned', plan: sampleManagementPlan() });
    expect(refusalCleared(s)).toBe(false);
    s = run(s, { type: 'acknowledge', on: true });
    expect(s.phase).toBe('planning');
    expect(s.request).toMatchObject({ force: true });
    s = run(s, { type: 'planned', plan: sampleManagementPlan(true) }, { type: 'confirm-text', text: 'eno' });
    expect(refusalCleared(s)).toBe(false);
    s = run(s, { type: 'confirm-text', text: 'eno1' }, { type: 'goto', phase: 'plan' });
    expect(canApply(s)).toBe(true);
    expect(confirmFor(s)).toBe('eno1');
    s = run(s, { type: 'acknowledge', on: false });
    expect(s.confirmText).toBe('');
    expect(s.request).toMatchObject({ force: false });
  });

  it('sends no confirmation for ordinary plans', () => {
    const s = run(initialWizard(assignReq), { type: 'planned', plan: sampleAssignPlan() });
    expect(confirmFor(s)).toBeUndefined();
  });

  it('records a failed call as an error', () => {
    const s = run(initialWizard(assignReq), { type: 'failed', error: { code: 'ENVIRONMENT', message: 'x', remedy: null, detail: null } });
    expect(s.phase).toBe('error');
  });
});

describe('progress merging', () => {
  it('ignores events for another plan', () => {
    const before = { a: { state: 'pending' as const, message: null } };
    expect(mergeProgress(before, 'p1', { planId: 'p2', stepId: 'a', state: 'done', message: null })).toBe(before);
    expect(mergeProgress(before, 'p1', { planId: 'p1', stepId: 'a', state: 'failed', message: 'boom' })).toEqual({
      a: { state: 'failed', message: 'boom' },
    });
  });
});

describe('result sentence', () => {
  it('says where the device is now, or what failed and that it was undone', () => {
    const plan = sampleAssignPlan();
    expect(resultSentence(plan, sampleOkResult(plan))).toBe('0000:01:00.1 is now on vfio-pci.');
    expect(resultSentence(plan, sampleFailedResult(plan))).toMatch(/^Failed at "Let vfio-pci take 0000:01:00.1"; the steps already done were undone\.$/);
    expect(resultSentence(plan, sampleFailedResult(plan, false))).not.toMatch(/undone/);
  });
});

describe('settings-first wizards (SR-IOV)', () => {
  const sriovReq = { kind: 'sriov' as const, address: '0000:01:00.0', numVfs: 2, persist: false, force: false };

  it('starts on the settings form, plans on submit and can go back to it', () => {
    let s = initialWizard(sriovReq);
    expect(s.phase).toBe('input');
    // Nothing to go to before a plan exists.
    expect(run(s, { type: 'goto', phase: 'plan' }).phase).toBe('input');
    s = run(s, { type: 'submit', request: { ...sriovReq, numVfs: 4 } });
    expect(s.phase).toBe('planning');
    expect(s.request).toMatchObject({ kind: 'sriov', numVfs: 4 });
    s = run(s, { type: 'planned', plan: sampleSriovPlan({ numVfs: 4 }) }, { type: 'goto', phase: 'plan' });
    expect(canApply(s)).toBe(true);
    s = run(s, { type: 'goto', phase: 'input' });
    expect(s.phase).toBe('input');
    expect(s.request).toMatchObject({ numVfs: 4 });
  });

  it('goes back to the settings after a planning error (e.g. a count the host refuses)', () => {
    let s = run(initialWizard(sriovReq), { type: 'submit', request: sriovReq });
    s = run(s, { type: 'failed', error: { code: 'BAD_INPUT', message: 'too many', remedy: null, detail: null } });
    expect(s.phase).toBe('error');
    s = run(s, { type: 'goto', phase: 'input' });
    expect(s.phase).toBe('input');
    expect(s.error).toBeNull();
  });

  it('the assign wizard has no settings form to go back to', () => {
    const s = run(initialWizard(assignReq), { type: 'planned', plan: sampleAssignPlan() }, { type: 'goto', phase: 'input' });
    expect(s.phase).toBe('checks');
  });

  it('forcing an SR-IOV refusal re-plans with force; a new submit clears it', () => {
    let s = run(initialWizard(sriovReq), { type: 'submit', request: sriovReq }, { type: 'planned', plan: sampleSriovPlan() });
    s = run(s, { type: 'acknowledge', on: true });
    expect(s.request).toMatchObject({ kind: 'sriov', force: true });
    s = run(s, { type: 'planned', plan: sampleSriovPlan() }, { type: 'goto', phase: 'input' });
    s = run(s, { type: 'submit', request: { ...sriovReq, force: true } });
    expect(s.request).toMatchObject({ force: false });
    expect(s.acknowledged).toBe(false);
  });

  it('a VF-config wizard starts on its form too, and its refusals are not re-planned with force', () => {
    const vfReq = { kind: 'vf-config' as const, address: '0000:01:00.0', vf: 1, settings: {} };
    let s = initialWizard(vfReq);
    expect(s.phase).toBe('input');
    s = run(s, { type: 'submit', request: { ...vfReq, settings: { mac: '02:00:00:00:00:01' } } }, { type: 'planned', plan: sampleVfPlan() });
    s = run(s, { type: 'acknowledge', on: true });
    expect(s.phase).toBe('checks');
  });

  it('says how many VFs the PF has now, and what a VF now has', () => {
    const plan = sampleSriovPlan({ numVfs: 4 });
    expect(resultSentence(plan, sampleOkResult(plan))).toBe('0000:01:00.0 now has 4 VFs.');
    const one = sampleSriovPlan({ numVfs: 1 });
    expect(resultSentence(one, sampleOkResult(one))).toBe('0000:01:00.0 now has 1 VF.');
    const none = sampleSriovPlan({ numVfs: 0 });
    expect(resultSentence(none, sampleOkResult(none))).toBe('0000:01:00.0 now has 0 VFs.');
    expect(noopSentence({ ...plan, noop: true })).toBe('0000:01:00.0 already has 4 VFs — nothing to do.');
    const vf = sampleVfPlan({ mac: '02:00:00:00:00:01', vlan: 10, qos: 3, trust: true });
    expect(resultSentence(vf, sampleOkResult(vf))).toBe('VF 1 of 0000:01:00.0 now has MAC 02:00:00:00:00:01, VLAN 10 (priority 3), trust on.');
  });

  it('the IOMMU wizard starts on its form; its sentences speak of the boot configuration and the reboot', () => {
    const req = { kind: 'iommu' as const, action: 'enable' as const, pt: true, earlyVfio: false };
    expect(initialWizard(req).phase).toBe('input');
    const plan = {
      ...sampleSriovPlan({ numVfs: 0 }),
      kind: 'iommu' as const,
      target: '',
      devices: [],
      detail: { kind: 'iommu' as const, action: req.action, pt: req.pt, earlyVfio: req.earlyVfio, rebootNeeded: true },
    };
    expect(resultSentence(plan, sampleOkResult(plan))).toBe('The boot configuration now turns the IOMMU on. Reboot for the running kernel to use it.');
    expect(noopSentence({ ...plan, noop: true })).toBe('The boot configuration already says so — nothing to change. The running kernel does not reflect it yet: reboot.');
    const off = { ...plan, detail: { kind: 'iommu' as const, action: 'disable' as const, pt: false, earlyVfio: false, rebootNeeded: false } };
    expect(noopSentence({ ...off, noop: true })).toBe('The boot configuration has none of the IOMMU arguments Passthru adds — nothing to change.');
  });

  it('describes VF changes in words', () => {
    expect(describeVfChange({ mac: '00:00:00:00:00:00', vlan: 0, spoofCheck: false, linkState: 'disable' })).toBe('MAC cleared, no VLAN, spoof check off, link state disable');
    expect(describeVfChange({})).toBe('');
  });
});
