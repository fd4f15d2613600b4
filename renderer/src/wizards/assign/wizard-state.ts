/**
 * The assign / give-back wizard as a pure reducer, so every transition (re-planning on an
 * option change, the forced path, live progress, the result) is unit-tested without a DOM.
 * The component only dispatches; the host decides everything through plans.
 */
import type { ApplyProgress, ApplyResult, Plan, StepState } from '../../../../shared/plan';
import type { DisplayError } from '../../lib/display-error';

/** What the wizard was opened for: a fresh assign, a give-back, or undoing a journal entry. */
export type WizardRequest =
  | { kind: 'assign'; address: string; group: boolean; persist: boolean; force: boolean }
  | { kind: 'release'; address: string }
  | { kind: 'undo'; journalId?: string };

export type WizardPhase = 'planning' | 'checks' | 'plan' | 'applying' | 'result' | 'error';

export interface StepProgress {
  state: StepState;
  message: string | null;
}

export interface WizardState {
  phase: WizardPhase;
  request: WizardRequest;
  plan: Plan | null;
  /** A planning or apply call that rejected (PassthruError as data). */
  error: DisplayError | null;
  /** The user ticked "I understand, the network will drop" (forceable refusals only). */
  acknowledged: boolean;
  /** What the user typed to confirm a forced plan. */
  confirmText: string;
  progress: Record<string, StepProgress>;
  result: ApplyResult | null;
}

export type WizardAction =
  | { type: 'replan'; request: WizardRequest }
  | { type: 'planned'; plan: Plan }
  | { type: 'failed'; error: DisplayError }
  | { type: 'acknowledge'; on: boolean }
  | { type: 'confirm-text'; text: string }
  | { type: 'goto'; phase: 'checks' | 'plan' }
  | { type: 'apply' }
  | { type: 'progress'; progress: ApplyProgress }
  | { type: 'applied'; result: ApplyResult };

export function initialWizard(request: WizardRequest): WizardState {
  return { phase: 'planning', request, plan: null, error: null, acknowledged: false, confirmText: '', progress: {}, result: null };
}

/** Whether the plan may go ahead: not refused, or refused-but-forced and confirmed by typing. */
export function refusalCleared(s: WizardState): boolean {
  const plan = s.plan;
  if (!plan || plan.noop) return false;
  if (!plan.refusal) return true;
  if (!plan.refusal.forceable || !plan.options.force) return false;
  return s.acknowledged && s.confirmText === (plan.refusal.confirmText ?? '');
}

/** Whether Apply may be pressed (only from the plan preview, so the user has seen the steps). */
export function canApply(s: WizardState): boolean {
  return s.phase === 'plan' && refusalCleared(s);
}

/** The confirmation text to send with applyPlan, only for forced plans. */
export function confirmFor(s: WizardState): string | undefined {
  return s.plan?.refusal ? s.confirmText : undefined;
}

/** Merges one progress event into the per-step map; events for another plan are ignored. */
export function mergeProgress(progress: Record<string, StepProgress>, planId: string | undefined, p: ApplyProgress): Record<string, StepProgress> {
  if (!planId || p.planId !== planId) return progress;
  return { ...progress, [p.stepId]: { state: p.state, message: p.message } };
}

export function wizardReducer(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'replan':
      return { ...s, phase: 'planning', request: a.request, error: null };
    case 'planned':
      return {
        ...s,
        phase: 'checks',
        // The typed confirmation only makes sense for the plan it was typed against.
        confirmText: a.plan.refusal?.forceable ? s.confirmText : '',
        plan: a.plan,
        error: null,
        progress: Object.fromEntries(a.plan.steps.map((st) => [st.id, { state: 'pending' as StepState, message: null }])),
        result: null,
      };
    case 'failed':
      return { ...s, phase: 'error', error: a.error };
    case 'acknowledge': {
      // Forcing is a different plan (main re-checks it), so acknowledging re-plans with force.
      const base = { ...s, acknowledged: a.on, confirmText: a.on ? s.confirmText : '' };
      if (s.request.kind !== 'assign') return base;
      return { ...base, phase: 'planning', request: { ...s.request, force: a.on } };
    }
    case 'confirm-text':
      return { ...s, confirmText: a.text };
    case 'goto':
      return s.plan && (s.phase === 'checks' || s.phase === 'plan') ? { ...s, phase: a.phase } : s;
    case 'apply':
      return canApply(s) ? { ...s, phase: 'applying' } : s;
    case 'progress':
      return { ...s, progress: mergeProgress(s.progress, s.plan?.id, a.progress) };
    case 'applied': {
      const progress = { ...s.progress };
      for (const st of a.result.steps) progress[st.id] = { state: st.state, message: progress[st.id]?.message ?? null };
      return { ...s, phase: 'result', result: a.result, progress };
    }
  }
}

/** One-line outcome for the result step (also the live-region text). */
export function resultSentence(plan: Plan, result: ApplyResult): string {
  if (result.ok) {
    const who = plan.devices.length > 1 ? plan.devices.join(', ') : plan.target;
    if (plan.noop) return `${who}: nothing needed changing.`;
    if (plan.kind === 'assign') return `${who} ${plan.devices.length > 1 ? 'are' : 'is'} now on vfio-pci.`;
    if (plan.kind === 'release') return `${who} ${plan.devices.length > 1 ? 'were' : 'was'} given back to the host.`;
    return `The change to ${plan.target} was undone.`;
  }
  const step = plan.steps.find((st) => st.id === result.failedStep);
  return `Failed at "${step?.title ?? result.failedStep ?? 'unknown step'}"${result.rolledBack ? '; the steps already done were undone.' : '.'}`;
}
