/**
 * The VMs on this machine as the VMs page shows them. Refreshed on a timer while the page is
 * open (a VM's state changes without any event of ours: the guest powers off, qemu dies) and
 * after every action; a failed refresh keeps the last list with the error beside it.
 */
import { createStore, useStore } from 'zustand';
import type { VmSummary } from '#shared/vm-api';
import { getApi, type ApiGetter } from '../api';
import { toDisplayError, type DisplayError } from '../lib/display-error';

export interface VmState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  vms: VmSummary[];
  error: DisplayError | null;
  load(): Promise<void>;
}

export function createVmStore(api: ApiGetter = getApi) {
  let inflight: Promise<void> | null = null;
  return createStore<VmState>()((set, get) => ({
    status: 'idle',
    vms: [],
    error: null,
    load() {
      inflight ??= (async () => {
        if (get().status === 'idle') set({ status: 'loading' });
        try {
          set({ vms: await api().vmList(), status: 'ready', error: null });
        } catch (err) {
          set({ error: toDisplayError(err), status: get().vms.length ? 'ready' : 'error' });
        } finally {
          inflight = null;
        }
      })();
      return inflight;
    },
  }));
}

export const vmStore = createVmStore();

export function useVmStore<T>(selector: (s: VmState) => T): T {
  return useStore(vmStore, selector);
}
