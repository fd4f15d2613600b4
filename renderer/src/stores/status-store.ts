/**
 * How the app behind the window works now (shared/app-status.ts): the road a change takes to
 * the host and how host changes are noticed, shown in the header. Read at start and again on
 * every host change event (a snapshot opened, a monitor fallen back to polling). A failed read
 * keeps the last answer: the header then says nothing new rather than something wrong.
 */
import { createStore, useStore } from 'zustand';
import type { AppStatus } from '#shared/app-status';
import { getApi, type ApiGetter } from '../api';

export interface StatusState {
  status: AppStatus | null;
  refresh(): Promise<void>;
}

export function createStatusStore(api: ApiGetter = getApi) {
  let generation = 0;
  return createStore<StatusState>()((set) => ({
    status: null,
    async refresh() {
      const mine = ++generation;
      try {
        const status = await api().status();
        // An older answer arriving after a newer one must not win.
        if (mine === generation) set({ status });
      } catch {
        // The scan shows the connection's error; the header keeps what it knew.
      }
    },
  }));
}

export const statusStore = createStatusStore();
export const useStatusStore = <T>(selector: (s: StatusState) => T) => useStore(statusStore, selector);
