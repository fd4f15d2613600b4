/**
 * Which change wizard is open (if any). Kept outside the pages so the same wizard opens from
 * the Devices table, the detail panel, the topology and the History page, and survives a
 * page switch underneath it.
 */
import { createStore, useStore } from 'zustand';
import type { WizardRequest } from '../wizards/assign/wizard-state';

export interface WizardStoreState {
  request: WizardRequest | null;
  /** Bumped on every open so re-opening the same request starts afresh. */
  openCount: number;
  openAssign(address: string): void;
  openRelease(address: string): void;
  openUndo(journalId?: string): void;
  close(): void;
}

export function createWizardStore() {
  return createStore<WizardStoreState>()((set) => ({
    request: null,
    openCount: 0,
    openAssign: (address) =>
      set((s) => ({ request: { kind: 'assign', address, group: false, persist: false, force: false }, openCount: s.openCount + 1 })),
    openRelease: (address) => set((s) => ({ request: { kind: 'release', address }, openCount: s.openCount + 1 })),
    openUndo: (journalId) =>
      set((s) => ({ request: journalId ? { kind: 'undo', journalId } : { kind: 'undo' }, openCount: s.openCount + 1 })),
    close: () => set({ request: null }),
  }));
}

export const wizardStore = createWizardStore();

export function useWizardStore<T>(selector: (s: WizardStoreState) => T): T {
  return useStore(wizardStore, selector);
}
