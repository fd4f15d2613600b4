/** Status words with their icons: pass/warn/fail, the passthrough verdict, management. */
import type { ReactNode } from 'react';
import type { CheckStatus, PassthroughState } from '#shared/model';
import { PASSTHROUGH_LABEL, PASSTHROUGH_MEANING, PASSTHROUGH_TONE } from '../lib/passthrough-words';
import { FailIcon, InfoIcon, PassIcon, StatusIcon, WarnIcon } from './icons';

export const STATUS_LABELS: Record<CheckStatus, string> = { pass: 'Pass', warn: 'Warning', fail: 'Fail' };

export function StatusBadge({ status }: { status: CheckStatus }) {
  return (
    <span className={`badge badge--${status}`}>
      <StatusIcon status={status} />
      {STATUS_LABELS[status]}
    </span>
  );
}

/** A group's passthrough verdict as a badge; the words are the point, the colour a bonus. */
export function PassthroughBadge({ state }: { state: PassthroughState }) {
  const tone = PASSTHROUGH_TONE[state];
  return (
    <span className={`badge badge--${tone}`} title={PASSTHROUGH_MEANING[state]} data-verdict={state}>
      {tone === 'pass' ? <PassIcon /> : tone === 'warn' ? <WarnIcon /> : tone === 'fail' ? <FailIcon /> : <InfoIcon />}
      {PASSTHROUGH_LABEL[state]}
    </span>
  );
}

/** The kernel's VFIO viability as a badge (a fact shown beside the verdict, never instead of it). */
export function ViabilityBadge({ viable }: { viable: boolean }) {
  return viable ? (
    <span className="badge badge--pass">
      <PassIcon />
      Viable
    </span>
  ) : (
    <span className="badge badge--fail">
      <FailIcon />
      Not viable
    </span>
  );
}

/** Marks the interface (or device) that carries the host's management traffic. */
export function ManagementBadge({ long = false, reason }: { long?: boolean; reason?: string }) {
  return (
    <span className="badge badge--mgmt">
      <WarnIcon />
      {long ? `Management — ${reason ?? 'carries the default route'}; do not pass through` : 'Management'}
    </span>
  );
}

export function InfoNote({ children }: { children: ReactNode }) {
  return (
    <p className="note">
      <InfoIcon />
      <span>{children}</span>
    </p>
  );
}
