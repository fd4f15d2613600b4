/**
 * The Apply and Result steps every change wizard shares: live progress while main applies the
 * plan, then the outcome — what changed (plus what the wizard adds, e.g. the group verdict),
 * or which step failed, why, and whether the steps done were undone (shouted when they were
 * not: the device may be half-changed).
 */
import type { ReactNode } from 'react';
import type { LiveCheckResult } from '#shared/confirm-window';
import type { Plan, StepState } from '#shared/plan';
import { FailIcon, PassIcon, StatusIcon } from '../../components/icons';
import { resultSentence, type WizardState } from './wizard-state';

const STATE_WORD: Record<StepState, string> = {
  pending: 'Waiting',
  running: 'Running…',
  done: 'Done',
  failed: 'Failed',
  undoing: 'Undoing…',
  undone: 'Undone',
};

function stateIcon(s: StepState) {
  if (s === 'done') return <StatusIcon status="pass" />;
  if (s === 'failed') return <StatusIcon status="fail" />;
  if (s === 'undone' || s === 'undoing') return <StatusIcon status="warn" />;
  return <span className={`step-dot step-dot--${s}`} aria-hidden="true" />;
}

export function ProgressList({ plan, state }: { plan: Plan; state: WizardState }) {
  return (
    <ol className="progress-list" aria-label="Progress">
      {plan.steps.map((s) => {
        const p = state.progress[s.id] ?? { state: 'pending' as StepState, message: null };
        return (
          <li key={s.id} className={`progress-item progress-item--${p.state}`}>
            {stateIcon(p.state)} <span>{s.title}</span> <strong className="progress-item__state">{STATE_WORD[p.state]}</strong>
            {p.message && <span className="muted small"> — {p.message}</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** What a change under confirm-or-revert checked from the host's side. */
export function CheckResults({ checks }: { checks: readonly LiveCheckResult[] }) {
  return (
    <ul className="plain-list" aria-label="Checked from the host">
      {checks.map((c, i) => (
        <li key={i}>
          <StatusIcon status={c.ok ? 'pass' : 'fail'} /> {c.detail}
        </li>
      ))}
    </ul>
  );
}

export function ApplyStep({ state }: { state: WizardState }) {
  const plan = state.plan;
  if (!plan) return null;
  const running = Object.entries(state.progress).find(([, p]) => p.state === 'running' || p.state === 'undoing');
  const current = running ? plan.steps.find((s) => s.id === running[0]) : undefined;
  return (
    <div className="wizard__section">
      <p aria-live="polite" role="status">
        {current
          ? `${running?.[1].state === 'undoing' ? 'Undoing' : 'Running'}: ${current.title}`
          : plan.confirm && plan.steps.every((s) => state.progress[s.id]?.state === 'done')
            ? 'Every step is done. Checking from the host that the network still works…'
            : 'Applying the plan…'}
      </p>
      <ProgressList plan={plan} state={state} />
      {state.checks.length > 0 && <CheckResults checks={state.checks} />}
    </div>
  );
}

/** `extra` is shown under a successful outcome. */
export function ResultStep({ state, extra }: { state: WizardState; extra?: ReactNode }) {
  const { plan, result } = state;
  if (!plan || !result) return null;
  const failed = plan.steps.find((s) => s.id === result.failedStep);
  return (
    <div className="wizard__section">
      {result.ok ? (
        <p className="notice notice--ok wizard__result" role="status">
          <PassIcon /> {resultSentence(plan, result)}
        </p>
      ) : (
        <div className="notice notice--error wizard__result" role="alert">
          <FailIcon />
          <div className="notice__body">
            <p className="notice__title">
              <strong>The change failed</strong> at step “{failed?.title ?? result.failedStep ?? 'unknown'}”: {result.error?.message}
            </p>
            {result.error?.remedy && (
              <p className="notice__remedy">
                <strong>What to do:</strong> {result.error.remedy}
              </p>
            )}
            {result.rolledBack ? (
              <p>
                The steps already done were undone:{' '}
                {plan.kind === 'iommu' ? 'every file is as it was before' : plan.kind === 'bridge' ? 'the network is as it was before' : 'the device is as it was before'}.
              </p>
            ) : (
              <p className="text-fail">
                <strong>Rolling back failed too: the device may be half-changed.</strong> See the History page, which offers to finish the rollback, and check the commands below by
                hand.
              </p>
            )}
            {result.error?.detail && (
              <details className="notice__detail">
                <summary>Technical details</summary>
                <pre>{result.error.detail}</pre>
              </details>
            )}
          </div>
        </div>
      )}
      {result.ok && extra}
      {!result.ok && (result.checks ?? state.checks).length > 0 && <CheckResults checks={result.checks ?? state.checks} />}
      <ProgressList plan={plan} state={state} />
    </div>
  );
}
