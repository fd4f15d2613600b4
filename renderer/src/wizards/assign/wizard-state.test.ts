import { describe, expect, it } from 'vitest';
import {
  sampleAssignPlan,
  sampleDiskPlan,
  sampleFailedResult,
  sampleManagementPlan,
  sampleNoopPlan,
  sampleOkResult,
} from '../../testing/sample-plans';
import { canApply, confirmFor, initialWizard, mergeProgress, refusalCleared, resultSentence, wizardReducer, type WizardState } from './wizard-state';

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

  it('re-plans when an option changes, keeping the user on the checks', () => {
    let s = run(initialWizard(assignReq), { type: 'planned', plan: sampleAssignPlan() });
    s = run(s, { type: 'replan', request: { ...assignReq, group: true } });
    expect(s.phase).toBe('planning');
    expect(s.request).toMatchObject({ group: true });
    s = run(s, { type: 'planned', plan: sampleAssignPlan({ group: true }) });
    expect(s.plan?.expected.groupViable).toBe(true);
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
