/**
 * Whether the app shows a snapshot, for the VMs page and the New-VM wizard: then they are a
 * rehearsal against that host, and VMs still run on this machine. Main refuses a
 * start on its own too (vm-service.ts); this lets the buttons say so before anyone clicks.
 */
import type { ScanSource } from '#shared/model';
import { useScanStore } from '../../stores/scan-store';
import { useSourceStore } from '../../stores/source-store';

/** The snapshot on screen, or null on the live host (as the header says: the scan's source first). */
export function useShownSnapshot(): ScanSource | null {
  const scanned = useScanStore((s) => s.scan?.source ?? null);
  const stored = useSourceStore((s) => s.source);
  const source = scanned ?? stored;
  return source?.kind === 'snapshot' ? source : null;
}

/** The snapshot's host in words: its hostname, or what it is when the manifest has none. */
export function snapshotHost(source: Pick<ScanSource, 'hostname'>): string {
  return source.hostname ?? "the snapshot's host";
}
