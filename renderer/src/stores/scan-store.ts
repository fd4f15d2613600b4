/**
 * The host inventory being shown: loading / error / data. Overlapping refreshes coalesce
 * into one extra fetch, so a burst of change events never queues a pile of scans, and a
 * failed refresh keeps the last good data on screen (with the error beside it).
 */
import { createStore, useStore } from 'zustand';
import type { HostScan } from '#shared/model';
import { getApi, type ApiGetter } from '../api';
import { toDisplayError, type DisplayError } from '../lib/display-error';

export interface ScanState {
  /** `loading`: first fetch, nothing to show yet; `error`: it failed and there is no data. */
  status: 'idle' | 'loading' | 'ready' | 'error';
  scan: HostScan | null;
  error: DisplayError | null;
  /** A fetch is in flight (initial or refresh). */
  refreshing: boolean;
  /** When the shown data arrived (ms since epoch). */
  loadedAt: number | null;
  /** Fetch now; resolves when the data on screen is current. */
  load(): Promise<void>;
  /** Forget the data (the source changed: old data would be mislabelled). */
  reset(): void;
}

export function createScanStore(api: ApiGetter = getApi, now: () => number = Date.now) {
  let inflight: Promise<void> | null = null;
  let again = false;
  let generation = 0;

  return createStore<ScanState>()((set, get) => {
    async function fetchOnce(): Promise<void> {
      const gen = generation;
      set({ refreshing: true, status: get().scan ? 'ready' : 'loading' });
      try {
        const scan = await api().scan();
        if (gen !== generation) return;
        set({ scan, status: 'ready', error: null, loadedAt: now() });
      } catch (err) {
        if (gen !== generation) return;
        set({ error: toDisplayError(err), status: get().scan ? 'ready' : 'error' });
      }
    }

    return {
      status: 'idle',
      scan: null,
      error: null,
      refreshing: false,
      loadedAt: null,
      load() {
        if (inflight) {
          again = true;
          return inflight;
        }
        inflight = (async () => {
          do {
            again = false;
            await fetchOnce();
          } while (again);
        })().finally(() => {
          inflight = null;
          set({ refreshing: false });
        });
        return inflight;
      },
      reset() {
        generation++;
        again = inflight !== null;
        set({ scan: null, error: null, status: 'idle', loadedAt: null });
      },
    };
  });
}

export const scanStore = createScanStore();

export function useScanStore<T>(selector: (s: ScanState) => T): T {
  return useStore(scanStore, selector);
}
