/**
 * Reading the change journal for the History page: which entry is unfinished (a crash or a
 * failed rollback left a device possibly half-changed) and which change "Undo last" targets.
 */
import type { HistoryEntry, JournalState, PlanKind } from '#shared/plan';

export const JOURNAL_STATE_LABEL: Record<JournalState, string> = {
  applying: 'Interrupted while applying',
  applied: 'Applied',
  'rolled-back': 'Failed, rolled back',
  'rollback-failed': 'Failed, rollback failed',
  undone: 'Undone',
};

/** What a journal entry did, as the start of its heading ("Assign 0000:01:00.0"). */
export const PLAN_KIND_LABEL: Record<PlanKind, string> = {
  assign: 'Assign',
  release: 'Give back',
  undo: 'Undo',
  sriov: 'Set the number of VFs of',
  'vf-config': 'Configure a VF of',
  iommu: 'Change the IOMMU boot configuration',
  'vm-network': 'Network devices of a VM',
  bridge: 'Bridge a NIC for VMs',
  confirm: 'Keep a change',
};

export function isIncomplete(e: HistoryEntry): boolean {
  return e.state === 'applying' || e.state === 'rollback-failed';
}

/** Newest first by start time (the host already sends them so; this keeps the page honest). */
export function sortHistory(entries: HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The newest change that is applied and so can be undone, if any. */
export function lastUndoable(entries: HistoryEntry[]): HistoryEntry | null {
  return sortHistory(entries).find((e) => e.state === 'applied') ?? null;
}
