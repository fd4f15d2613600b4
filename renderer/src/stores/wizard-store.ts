/**
 * Which change wizard is open (if any). Kept outside the pages so the same wizard opens from
 * the Devices table, the detail panel, the topology and the History page, and survives a
 * page switch underneath it.
 */
import { createStore, useStore } from 'zustand';
import { CONFIRM_SECONDS } from '#shared/confirm-window';
import type { SriovInfo } from '#shared/model';
import type { WizardRequest } from '../wizards/common/wizard-state';

export interface WizardStoreState {
  request: WizardRequest | null;
  /** Bumped on every open so re-opening the same request starts afresh. */
  openCount: number;
  /** `wholeGroup`: start with "Bind the whole group" ticked (a VM needs every member off its host driver). */
  openAssign(address: string, options?: { wholeGroup?: boolean }): void;
  openRelease(address: string): void;
  openUndo(journalId?: string): void;
  /** "Set number of VFs…" on a PF, starting from the count it has now. */
  /** `sriov`: the PF as scanned; the form starts from its count and its boot rule. */
  openSriov(address: string, sriov: Pick<SriovInfo, 'numVfs' | 'bootRule'>): void;
  /** "Configure…" one VF (by its index under the PF). */
  openVfConfig(address: string, vf: number): void;
  /** The IOMMU boot settings wizard (or, with 'disable', taking Passthru's arguments out again). */
  openIommu(action?: 'enable' | 'disable'): void;
  /** "Bridge for VMs…" on a NIC (the bridge's name is asked, the first free brN offered). */
  openBridge(port: string, bridge: string): void;
  /** "Remove bridge…": its port gets the configuration back. */
  openBridgeRemoval(bridge: string): void;
  close(): void;
}

export function createWizardStore() {
  return createStore<WizardStoreState>()((set) => {
    const open = (request: WizardRequest) => set((s) => ({ request, openCount: s.openCount + 1 }));
    return {
      request: null,
      openCount: 0,
      openAssign: (address, options) => open({ kind: 'assign', address, group: options?.wholeGroup ?? false, persist: false, force: false }),
      openRelease: (address) => open({ kind: 'release', address }),
      openUndo: (journalId) => open(journalId ? { kind: 'undo', journalId } : { kind: 'undo' }),
      openSriov: (address, sriov) => open({ kind: 'sriov', address, numVfs: sriov.numVfs, persist: sriov.bootRule !== null, force: false }),
      openVfConfig: (address, vf) => open({ kind: 'vf-config', address, vf, settings: {} }),
      openIommu: (action = 'enable') => open({ kind: 'iommu', action, pt: false, earlyVfio: false }),
      openBridge: (port, bridge) => open({ kind: 'bridge', action: 'create', bridge, port, confirmSeconds: CONFIRM_SECONDS.default }),
      openBridgeRemoval: (bridge) => open({ kind: 'bridge', action: 'remove', bridge, confirmSeconds: CONFIRM_SECONDS.default }),
      close: () => set({ request: null }),
    };
  });
}

export const wizardStore = createWizardStore();

export function useWizardStore<T>(selector: (s: WizardStoreState) => T): T {
  return useStore(wizardStore, selector);
}
