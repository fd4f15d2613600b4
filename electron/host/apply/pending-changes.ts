/**
 * The two ends of a change waiting for confirmation (confirm-or-revert): keeping it, and the
 * revert timer that puts it back at its deadline. Both decide through the journal's one-time
 * claim (JournalStore.claimDecision), so a confirmation arriving as the deadline passes either
 * keeps the change or finds it already being put back — never both.
 */
import { PassthruError } from '#shared/errors';
import type { PendingChanges } from '../ops/op-context';
import type { ApplyEngine } from './apply-engine';
import type { JournalRecord, JournalStore } from './journal-store';

/** Why a change cannot be kept now, or null when it can. */
export function cannotKeep(record: JournalRecord | null, id: string, now: Date): string | null {
  if (!record) return `There is no change ${id} in the journal.`;
  if (!record.confirm) return `Change ${id} does not wait for a confirmation.`;
  if (record.state !== 'applied') return `Change ${id} is ${record.state}; there is nothing to keep.`;
  switch (record.confirm.state) {
    case 'confirmed':
      return `Change ${id} is already confirmed.`;
    case 'reverting':
    case 'reverted':
      return `Change ${id} was put back${record.confirm.reason ? `: ${record.confirm.reason}` : ''}.`;
    case 'pending':
      return now.getTime() >= Date.parse(record.confirm.deadline) ? `The time to confirm change ${id} ran out at ${record.confirm.deadline}; it is being put back.` : null;
  }
}

/** Keeps a pending change: its timer then stands down. Throws REFUSED when it cannot be kept. */
export function keepPending(store: JournalStore, id: string, now: Date): void {
  const record = store.load(id);
  const why = cannotKeep(record, id, now);
  if (why !== null) throw new PassthruError('REFUSED', why, null);
  if (!store.claimDecision(id, 'keep')) {
    if (store.decisionOf(id) === 'keep') return;
    throw new PassthruError('REFUSED', `Change ${id} is being put back; it was not confirmed in time.`, null);
  }
  const kept = store.load(id)!;
  kept.confirm = { ...kept.confirm!, state: 'confirmed' };
  store.save(kept);
}

/** Whether a change was kept (for a verify step reading the journal back). */
export function isKept(store: JournalStore, id: string): boolean {
  return store.load(id)?.confirm?.state === 'confirmed' && store.decisionOf(id) === 'keep';
}

/** The journal's changes waiting for confirmation, as the ops see them. */
export function pendingChangesOf(store: JournalStore): PendingChanges {
  return {
    cannotKeep: (id, now) => cannotKeep(store.load(id), id, now),
    keep: (id, now) => keepPending(store, id, now),
    isKept: (id) => isKept(store, id),
  };
}

/** The newest change waiting for confirmation, if any. */
export function newestPending(store: JournalStore): JournalRecord | null {
  return store.all().find((r) => r.state === 'applied' && r.confirm?.state === 'pending') ?? null;
}

export interface RevertTimerOptions {
  engine: ApplyEngine;
  journalId: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** How often the journal is read for a confirmation (the timer stands down as soon as one comes). */
  pollMs?: number;
}

export type RevertTimerOutcome = 'kept' | 'reverted' | 'revert-incomplete' | 'not-pending';

/**
 * The revert timer's whole life: wait for the deadline (reading the journal, so it stands down
 * when the change is kept or put back by someone else), then put the change back.
 */
export async function runRevertTimer(o: RevertTimerOptions): Promise<RevertTimerOutcome> {
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const store = o.engine.store;
  for (;;) {
    const record = store.load(o.journalId);
    // Undone by hand, or decided by someone else: the timer has nothing left to do.
    if (!record?.confirm || record.confirm.state !== 'pending' || record.state !== 'applied') return record?.confirm?.state === 'confirmed' ? 'kept' : 'not-pending';
    if (store.decisionOf(o.journalId) === 'keep') return 'kept';
    const left = Date.parse(record.confirm.deadline) - now().getTime();
    if (left <= 0) {
      const reason = `No confirmation came within ${record.confirm.seconds} s.`;
      const ok = await o.engine.revertPending(o.journalId, reason);
      const after = store.load(o.journalId);
      if (after?.confirm?.state === 'confirmed') return 'kept';
      return ok ? 'reverted' : 'revert-incomplete';
    }
    await sleep(Math.min(left, o.pollMs ?? 500));
  }
}
