/**
 * The top bar: which host is on screen (live, or a snapshot, said in words), and the
 * actions that change it. A snapshot is impossible to mistake for the live machine. When the
 * window is narrow the texts wrap (and the actions move to a line of their own) rather than
 * run under one another.
 */
import type { ScanSource } from '#shared/model';
import { formatClock, formatTimestamp } from '../lib/format';
import { useScanStore, scanStore } from '../stores/scan-store';
import { sourceStore, useSourceStore } from '../stores/source-store';
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

export function AppHeader() {
  const scanSource = useScanStore((s) => s.scan?.source ?? null);
  const refreshing = useScanStore((s) => s.refreshing);
  const loadedAt = useScanStore((s) => s.loadedAt);
  const storedSource = useSourceStore((s) => s.source);
  const busy = useSourceStore((s) => s.busy);
  const source = scanSource ?? storedSource;
  const isSnapshot = source?.kind === 'snapshot';

  return (
    <header className={`app-header ${isSnapshot ? 'app-header--snapshot' : ''}`}>
      <div className="brand">Passthru</div>
      <SourceLabel source={source} />
      <div className="header-actions">
        <span className="refresh-status" role="status">
          {refreshing ? 'Refreshing…' : loadedAt ? `Updated ${formatClock(loadedAt)}` : ''}
        </span>
        <button type="button" className="button" onClick={() => void scanStore.getState().load()} aria-busy={refreshing}>
          <RefreshIcon spinning={refreshing} />
          Refresh
        </button>
        <button type="button" className="button" disabled={busy !== null} onClick={() => void sourceStore.getState().openSnapshot()}>
          <FolderIcon />
          Open snapshot…
        </button>
        {isSnapshot && (
          <button type="button" className="button button--primary" disabled={busy !== null} onClick={() => void sourceStore.getState().backToLive()}>
            Back to live host
          </button>
        )}
      </div>
    </header>
  );
}
