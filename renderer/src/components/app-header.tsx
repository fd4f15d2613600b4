/**
 * The top bar: which host is on screen (live, or a snapshot, said in words), how a change
 * reaches it and how the view stays current, and the actions that change it. A snapshot is impossible to mistake for the live machine. When the
 * window is narrow the texts wrap (and the actions move to a line of their own) rather than
 * run under one another.
 */
import { useState } from 'react';
import type { ScanSource } from '#shared/model';
import { hasFolderPicker } from '../api';
import { SnapshotPathDialog } from './snapshot-path-dialog';
import { formatClock, formatTimestamp } from '../lib/format';
import { useScanStore, scanStore } from '../stores/scan-store';
import { sourceStore, useSourceStore } from '../stores/source-store';
import { useStatusStore } from '../stores/status-store';
import { changeRouteWords, watchWords, type StatusWords } from '../lib/app-status-words';
import { FolderIcon, RefreshIcon } from './icons';

function SourceLabel({ source }: { source: ScanSource | null }) {
  if (!source) return <p className="source">Connecting…</p>;
  if (source.kind === 'snapshot') {
    return (
      <p className="source source--snapshot" data-testid="source">
        <span className="source__kind">Snapshot (read-only)</span> {/* Two unbreakable pieces: a narrow header wraps between them, never through the text beside it. */}
        <span className="source__what">
          {source.hostname && <span>{source.hostname} ·</span>} <span>captured {formatTimestamp(source.capturedAt)}</span>
        </span>{' '}
        <span className="source__path" title={source.root}>
          {source.root}
        </span>
      </p>
    );
  }
  return (
    <p className="source source--live" data-testid="source">
      <span className="source__kind">Live host</span> <span className="source__what">{source.hostname ?? 'this machine'}</span>
    </p>
  );
}

/** One fact of the status: a short label, with its sentence for hover and for screen readers. */
function StatusFact({ words, testId }: { words: StatusWords; testId: string }) {
  return (
    <span className="status-fact" data-testid={testId} title={words.explanation}>
      {words.label}
      <span className="sr-only">. {words.explanation}</span>
    </span>
  );
}

/** How changes reach the host and how the view stays current (hidden until the first answer). */
function StatusFacts() {
  const status = useStatusStore((s) => s.status);
  if (!status) return null;
  return (
    <p className="status-facts">
      <StatusFact words={changeRouteWords(status)} testId="change-route" />
      <StatusFact words={watchWords(status)} testId="watch-mode" />
    </p>
  );
}

export function AppHeader() {
  const scanSource = useScanStore((s) => s.scan?.source ?? null);
  const refreshing = useScanStore((s) => s.refreshing);
  const loadedAt = useScanStore((s) => s.loadedAt);
  const storedSource = useSourceStore((s) => s.source);
  const busy = useSourceStore((s) => s.busy);
  const source = scanSource ?? storedSource;
  const isSnapshot = source?.kind === 'snapshot';
  const [askingPath, setAskingPath] = useState(false);

  return (
    <header className={`app-header ${isSnapshot ? 'app-header--snapshot' : ''}`}>
      <div className="brand">Passthru</div>
      <SourceLabel source={source} />
      <StatusFacts />
      <div className="header-actions">
        <span className="refresh-status" role="status">
          {refreshing ? 'Refreshing…' : loadedAt ? `Updated ${formatClock(loadedAt)}` : ''}
        </span>
        <button type="button" className="button" onClick={() => void scanStore.getState().load()} aria-busy={refreshing}>
          <RefreshIcon spinning={refreshing} />
          Refresh
        </button>
        <button type="button" className="button" disabled={busy !== null} onClick={() => (hasFolderPicker() ? void sourceStore.getState().openSnapshot() : setAskingPath(true))}>
          <FolderIcon />
          Open snapshot…
        </button>
        {askingPath && (
          <SnapshotPathDialog
            onCancel={() => setAskingPath(false)}
            onOpen={(path) => {
              setAskingPath(false);
              void sourceStore.getState().openSnapshot(path);
            }}
          />
        )}
        {isSnapshot && (
          <button type="button" className="button button--primary" disabled={busy !== null} onClick={() => void sourceStore.getState().backToLive()}>
            Back to live host
          </button>
        )}
      </div>
    </header>
  );
}
