/**
 * Every change wizard (assign / give back / undo, SR-IOV VF count, one VF's settings) as one
 * pure reducer, so every transition (the settings form, re-planning on an option change, the
 * forced path, live progress, the result) is unit-tested without a DOM. The components only
 * dispatch; the host decides everything through plans.
 */
import type { LiveCheckResult } from '#shared/confirm-window';
import type { ApplyProgress, ApplyResult, Plan, StepState, VfChange } from '#shared/plan';
import type { DisplayError } from '../../lib/display-error';

/**
 * What a wizard was opened for: a fresh assign, a give-back, undoing a journal entry, setting
 * a PF's number of VFs, or changing one VF's settings. The last two start on a settings form;
 * the request holds what was last submitted from it.
 */
export type WizardRequest =
  | { kind: 'assign'; address: string; group: boolean; persist: boolean; force: boolean }
  | { kind: 'release'; address: string }
  | { kind: 'undo'; journalId?: string }
  | {
      kind: 'sriov';
      /** The PF. */
      address: string;
      numVfs: number;
      /** Whether new VFs get a host driver; absent leaves sriov_drivers_autoprobe as it is. */
      autoprobe?: boolean;
      persist: boolean;
      force: boolean;
    }
  | { kind: 'vf-config'; address: string; vf: number; settings: VfChange }
  /** The IOMMU kernel arguments in the boot configuration (the host as a whole, no device). */
  | { kind: 'iommu'; action: 'enable' | 'disable'; pt: boolean; earlyVfio: boolean }
  /** A bridge over a host NIC for VMs (`port`), or removing one; kept only once confirmed within `confirmSeconds`. */
  | { kind: 'bridge'; action: 'create'; bridge: string; port: string; confirmSeconds: number }
  | { kind: 'bridge'; action: 'remove'; bridge: string; confirmSeconds: number };

export type WizardPhase = 'input' | 'planning' | 'checks' | 'plan' | 'applying' | 'result' | 'error';

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
  /** The user acknowledged a forceable refusal ("I understand, …"). */
  acknowledged: boolean;
  /** What the user typed to confirm a forced plan. */
  confirmText: string;
  progress: Record<string, StepProgress>;
  /** A change under confirm-or-revert: the checks from the host's side, as each settles. */
  checks: LiveCheckResult[];
  result: ApplyResult | null;
}

export type WizardAction =
  /** A settings form was submitted: plan afresh (a new wish clears any earlier forcing). */
  | { type: 'submit'; request: WizardRequest }
  | { type: 'replan'; request: WizardRequest }
  | { type: 'planned'; plan: Plan }
  | { type: 'failed'; error: DisplayError }
  | { type: 'acknowledge'; on: boolean }
  | { type: 'confirm-text'; text: string }
  | { type: 'goto'; phase: 'input' | 'checks' | 'plan' }
  | { type: 'apply' }
  | { type: 'progress'; progress: ApplyProgress }
  | { type: 'check'; planId: string; check: LiveCheckResult }
  | { type: 'applied'; result: ApplyResult };

/** Whether this kind of wizard starts on a settings form (and can go back to it). */
export function hasSettings(request: WizardRequest): boolean {
  return request.kind === 'sriov' || request.kind === 'vf-config' || request.kind === 'iommu' || request.kind === 'bridge';
}

/** Whether a forceable refusal is forced by re-planning with `force` (the host re-checks it). */
function forcesByReplanning(request: WizardRequest): request is Extract<WizardRequest, { force: boolean }> {
  return request.kind === 'assign' || request.kind === 'sriov';
}

export function initialWizard(request: WizardRequest): WizardState {
  return {
    phase: hasSettings(request) ? 'input' : 'planning',
    request,
    plan: null,
    error: null,
    acknowledged: false,
    confirmText: '',
    progress: {},
    checks: [],
    result: null,
  };
}

/** Whether the plan may go ahead: not refused, or refused-but-forced and confirmed by typing. */
export function refusalCleared(s: WizardState): boolean {
  const plan = s.plan;
  if (!plan || plan.noop) return false;
  if (!plan.refusal) return true;
  if (!plan.refusal.forceable || !plan.force) return false;
  return s.acknowledged && s.confirmText === (plan.refusal.confirmText ?? '');
}

/**
 * A plan that cannot be applied here for lack of something (a snapshot or tree of files has no
 * kernel to act on) but whose steps are safe to read: the preview stays open, Apply does not.
 */
export function reviewOnly(s: WizardState): boolean {
  const plan = s.plan;
  return !!plan && plan.refusal?.code === 'ENVIRONMENT' && plan.steps.length > 0;
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

function canGoto(s: WizardState, phase: 'input' | 'checks' | 'plan'): boolean {
  if (phase === 'input') return hasSettings(s.request) && (s.phase === 'checks' || s.phase === 'plan' || s.phase === 'error');
  return !!s.plan && (s.phase === 'checks' || s.phase === 'plan');
}

export function wizardReducer(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'submit': {
      const request = forcesByReplanning(a.request) ? { ...a.request, force: false } : a.request;
      return { ...s, phase: 'planning', request, plan: null, error: null, acknowledged: false, confirmText: '', result: null };
    }
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
      if (!forcesByReplanning(s.request)) return base;
      return { ...base, phase: 'planning', request: { ...s.request, force: a.on } };
    }
    case 'confirm-text':
      return { ...s, confirmText: a.text };
    case 'goto':
      return canGoto(s, a.phase) ? { ...s, phase: a.phase, error: a.phase === 'input' ? null : s.error } : s;
    case 'apply':
      return canApply(s) ? { ...s, phase: 'applying', checks: [] } : s;
    case 'progress':
      return { ...s, progress: mergeProgress(s.progress, s.plan?.id, a.progress) };
    case 'check':
      return a.planId === s.plan?.id ? { ...s, checks: [...s.checks, a.check] } : s;
    case 'applied': {
      const progress = { ...s.progress };
      for (const st of a.result.steps) progress[st.id] = { state: st.state, message: progress[st.id]?.message ?? null };
      return { ...s, phase: 'result', result: a.result, progress };
    }
  }
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The VF settings a plan changes, in words: "MAC 02:…, VLAN 10 (priority 3), trust on". */
export function describeVfChange(c: VfChange): string {
  const parts: string[] = [];
  if (c.mac !== undefined) parts.push(c.mac === '00:00:00:00:00:00' ? 'MAC cleared' : `MAC ${c.mac}`);
  if (c.vlan !== undefined) parts.push(c.vlan === 0 ? 'no VLAN' : `VLAN ${c.vlan}${c.qos ? ` (priority ${c.qos})` : ''}`);
  else if (c.qos !== undefined) parts.push(`priority ${c.qos}`);
  if (c.trust !== undefined) parts.push(`trust ${c.trust ? 'on' : 'off'}`);
  if (c.spoofCheck !== undefined) parts.push(`spoof check ${c.spoofCheck ? 'on' : 'off'}`);
  if (c.linkState !== undefined) parts.push(`link state ${c.linkState}`);
  return parts.join(', ');
}

/** What "nothing to do" means for this plan, for the checks step. */
export function noopSentence(plan: Plan): string {
  if (plan.detail.kind === 'sriov') {
    return `${plan.target} already has ${plural(plan.detail.numVfs, 'VF', 'VFs')} — nothing to do.`;
  }
  if (plan.kind === 'vf-config') return 'The VF already has these settings — nothing to do.';
  if (plan.detail.kind === 'iommu') {
    const what = plan.detail.action === 'disable' ? 'has none of the IOMMU arguments Passthru adds' : 'already says so';
    return `The boot configuration ${what} — nothing to change.${plan.detail.rebootNeeded ? ' The running kernel does not reflect it yet: reboot.' : ''}`;
  }
  if (plan.kind === 'release') return 'Already with the host — nothing to do.';
  return 'Already on vfio-pci — nothing to do.';
}

/** One-line outcome for the result step (also the live-region text). */
export function resultSentence(plan: Plan, result: ApplyResult): string {
  if (result.ok) {
    const who = plan.devices.length > 1 ? plan.devices.join(', ') : plan.target;
    if (plan.detail.kind === 'sriov') return `${plan.target} now has ${plural(plan.detail.numVfs, 'VF', 'VFs')}.`;
    if (plan.noop) return `${who}: nothing needed changing.`;
    if (plan.kind === 'assign') return `${who} ${plan.devices.length > 1 ? 'are' : 'is'} now on vfio-pci.`;
    if (plan.kind === 'release') return `${who} ${plan.devices.length > 1 ? 'were' : 'was'} given back to the host.`;
    if (plan.detail.kind === 'iommu') {
      const on = plan.detail.action === 'enable';
      return `The boot configuration now ${on ? 'turns the IOMMU on' : 'has none of the IOMMU arguments Passthru adds'}.${plan.detail.rebootNeeded ? ' Reboot for the running kernel to use it.' : ''}`;
    }
    if (plan.detail.kind === 'vf-config') {
      const { vf, settings } = plan.detail;
      return `VF ${vf} of ${plan.target} now has ${describeVfChange(settings) || 'its settings unchanged'}.`;
    }
    if (plan.detail.kind === 'bridge') {
      const { action, bridge, port } = plan.detail;
      const done = action === 'create' ? `${bridge} now carries ${port}'s network` : `${port} has its configuration back and ${bridge} is gone`;
      return result.pending ? `${done}, and every check passed. Keep it, or it is put back by itself.` : `${done}.`;
    }
    if (plan.detail.kind === 'confirm') return 'The change is kept.';
    return `The change to ${plan.target} was undone.`;
  }
  const step = plan.steps.find((st) => st.id === result.failedStep);
  return `Failed at "${step?.title ?? result.failedStep ?? 'unknown step'}"${result.rolledBack ? '; the steps already done were undone.' : '.'}`;
}
