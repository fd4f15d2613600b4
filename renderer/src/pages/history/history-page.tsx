/**
 * History: the journal of changes, newest first, with "Undo last change" (which opens the
 * same plan preview and apply flow as assigning) and an unfinished change shown first and
 * loudly, because a device may be left half-changed until it is rolled back.
 */
import { useCallback, useEffect, useState } from 'react';
import type { HistoryEntry, UnreadableJournalEntry } from '#shared/plan';
import { ErrorNotice, Loading } from '../../components/feedback';
import { Page } from '../../components/page';
import { getApi } from '../../api';
import { toDisplayError, type DisplayError } from '../../lib/display-error';
import { describePendingConfirm } from '#shared/confirm-window';
import { isIncomplete, JOURNAL_STATE_LABEL, lastUndoable, PLAN_KIND_LABEL, sortHistory } from '../../lib/history';
import { useWizardStore, wizardStore } from '../../stores/wizard-store';
import { keepChange } from '../../wizards/bridge/keep-or-revert';

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A change waiting for confirmation, kept or put back from here too (say, after its wizard was closed). */
function KeepOrPutBack({ journalId, onChanged }: { journalId: string; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const keep = async () => {
    setBusy(true);
    setError(null);
    try {
      await keepChange(journalId);
    } catch (err) {
      setError(toDisplayError(err));
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  return (
    <div className="history-entry__actions">
      <button type="button" className="button button--primary" onClick={() => void keep()} disabled={busy}>
        {busy ? 'Keeping…' : 'Keep this change'}
      </button>{' '}
      <button type="button" className="button" onClick={() => wizardStore.getState().openUndo(journalId)} disabled={busy}>
        Put it back now…
      </button>
      {error && <ErrorNotice error={error} title="The change could not be kept" />}
    </div>
  );
}

function Entry({ e, onChanged }: { e: HistoryEntry; onChanged: () => void }) {
  const headingId = `history-${e.journalId}`;
  return (
    <li className={`history-entry history-entry--${e.state}`} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {PLAN_KIND_LABEL[e.kind]} <span className="mono">{e.target}</span>
      </h3>
      <p className="muted small">
        {JOURNAL_STATE_LABEL[e.state]} · started {when(e.startedAt)} · finished {when(e.finishedAt)} · journal {e.journalId}
        {e.root === null
          ? ' · host not recorded'
          : e.root !== '/' && (
              <>
                {' '}
                · made on <span className="mono">{e.root}</span>
              </>
            )}
      </p>
      {e.confirm && (
        <p className={`small ${e.confirm.state === 'pending' ? 'text-warn' : ''}`} data-testid="confirm-state">
          Confirm or revert: {describePendingConfirm(e.confirm)}.
        </p>
      )}
      {e.confirm?.state === 'pending' && e.state === 'applied' && <KeepOrPutBack journalId={e.journalId} onChanged={onChanged} />}
      {e.devices.length > 1 && (
        <p className="small">
          Devices: <span className="mono">{e.devices.join(', ')}</span>
        </p>
      )}
      <ol className="history-steps" aria-label={`Steps of ${e.journalId}`}>
        {e.steps.map((s) => (
          <li key={s.id}>
            {s.title} — <strong>{s.state}</strong>
          </li>
        ))}
      </ol>
    </li>
  );
}

/** Journal files that are not records: said plainly, and never in the way of the others. */
function Unreadable({ list }: { list: UnreadableJournalEntry[] }) {
  if (list.length === 0) return null;
  return (
    <div className="notice notice--warning" role="status">
      <div className="notice__body">
        <p className="notice__title">
          <strong>{list.length === 1 ? 'One journal file could not be read' : `${list.length} journal files could not be read`}</strong> — Passthru ignores{' '}
          {list.length === 1 ? 'it' : 'them'} and everything else works as usual.
        </p>
        <ul>
          {list.map((u) => (
            <li key={u.file}>
              <span className="mono">{u.file}</span>: {u.problem}.
            </li>
          ))}
        </ul>
        <p className="small">
          Look at {list.length === 1 ? 'it' : 'them'}, then move {list.length === 1 ? 'it' : 'them'} out of the journal directory.
        </p>
      </div>
    </div>
  );
}

export function HistoryPage() {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [unreadable, setUnreadable] = useState<UnreadableJournalEntry[]>([]);
  const [error, setError] = useState<DisplayError | null>(null);
  const wizardOpen = useWizardStore((s) => s.request !== null);

  const load = useCallback(() => {
    getApi()
      .history()
      .then((history) => {
        setEntries(sortHistory(history.entries));
        setUnreadable(history.unreadable);
        setError(null);
      })
      .catch((err: unknown) => setError(toDisplayError(err)));
  }, []);
  // Reload when a wizard closes: it may have added an entry.
  useEffect(() => {
    if (!wizardOpen) load();
  }, [wizardOpen, load]);

  const incomplete = entries?.filter(isIncomplete) ?? [];
  const last = entries ? lastUndoable(entries) : null;

  return (
    <Page title="History" lede="Every change Passthru made, newest first, with the steps journaled before each was done.">
      {error && <ErrorNotice error={error} title="Could not read the history" onRetry={load} />}
      <Unreadable list={unreadable} />
      {incomplete.map((e) => (
        <div key={e.journalId} className="notice notice--error" role="alert">
          <div className="notice__body">
            <p className="notice__title">
              <strong>An unfinished change:</strong> {e.kind} of <span className="mono">{e.target}</span> — {JOURNAL_STATE_LABEL[e.state].toLowerCase()}.
            </p>
            <p>
              {e.state === 'applying'
                ? 'Passthru stopped (or the machine went down) in the middle of this change, so the device may be half-changed. Rolling it back restores what was recorded before.'
                : 'This change failed and undoing its steps failed too, so the device may be half-changed.'}
            </p>
            <div className="notice__actions">
              <button type="button" className="button button--primary" onClick={() => wizardStore.getState().openUndo(e.journalId)}>
                Roll back {e.journalId}…
              </button>
            </div>
          </div>
        </div>
      ))}
      <p>
        <button type="button" className="button" disabled={!last} onClick={() => wizardStore.getState().openUndo()}>
          Undo last change…
        </button>{' '}
        {last ? (
          <span className="muted">
            Reverses: {last.kind} of <span className="mono">{last.target}</span>
          </span>
        ) : (
          entries && <span className="muted">Nothing to undo.</span>
        )}
      </p>
      {!entries && !error && <Loading>Reading the history…</Loading>}
      {entries && entries.length === 0 && <p>No changes yet.</p>}
      {entries && entries.length > 0 && (
        <ol className="history-list" aria-label="Changes, newest first">
          {entries.map((e) => (
            <Entry key={e.journalId} e={e} onChanged={load} />
          ))}
        </ol>
      )}
    </Page>
  );
}
