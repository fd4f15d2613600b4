/**
 * Which host the app is showing: the live machine or a captured snapshot, and the actions
 * that switch between them. Switching clears the old scan first so live data is never
 * shown under a snapshot label (or the reverse).
 */
import { createStore, useStore, type StoreApi } from 'zustand';
import type { ScanSource } from '#shared/model';
import { getApi, type ApiGetter } from '../api';
import { toDisplayError, type DisplayError } from '../lib/display-error';
import { scanStore, type ScanState } from './scan-store';

export interface SourceState {
  source: ScanSource | null;
  /** Which switch is in progress, if any. */
  busy: 'open' | 'live' | null;
  error: DisplayError | null;
  /** Re-read the current source from main (e.g. after the File menu changed it). */
  refresh(): Promise<void>;
  /**
   * Main says the source changed. A switch made here has already cleared and reloaded the scan
   * (or is doing so): reloading again would clear the pages a second time, losing their state.
   * Only a change made elsewhere (the File menu, another window) clears and reloads.
   */
  sourceChanged(): Promise<void>;
  /** Ask for a snapshot directory (folder picker when no path) and show it. */
  openSnapshot(path?: string): Promise<void>;
  backToLive(): Promise<void>;
  dismissError(): void;
}

export function createSourceStore(api: ApiGetter = getApi, scans: StoreApi<ScanState> = scanStore) {
  return createStore<SourceState>()((set, get) => {
    async function switchTo(kind: 'open' | 'live', call: () => Promise<ScanSource | null>) {
      if (get().busy) return;
      set({ busy: kind, error: null });
      try {
        const source = await call();
        if (source === null) return; // the user cancelled the folder picker
        set({ source });
        scans.getState().reset();
        await scans.getState().load();
      } catch (err) {
        set({ error: toDisplayError(err) });
      } finally {
        set({ busy: null });
      }
    }
    return {
      source: null,
      busy: null,
      error: null,
      async refresh() {
        try {
          set({ source: await api().source() });
        } catch (err) {
          set({ error: toDisplayError(err) });
        }
      },
      async sourceChanged() {
        if (get().busy) return;
        const before = get().source;
        let now: ScanSource;
        try {
          now = await api().source();
        } catch (err) {
          set({ error: toDisplayError(err) });
          return;
        }
        if (get().busy) return;
        set({ source: now });
        if (before && before.kind === now.kind && before.root === now.root) return;
        scans.getState().reset();
        await scans.getState().load();
      },
      openSnapshot: (path) => switchTo('open', () => api().openSnapshot({ path })),
      backToLive: () => switchTo('live', () => api().useLiveHost()),
      dismissError: () => set({ error: null }),
    };
  });
}

export const sourceStore = createSourceStore();

export function useSourceStore<T>(selector: (s: SourceState) => T): T {
  return useStore(sourceStore, selector);
}
