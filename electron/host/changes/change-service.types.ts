/**
 * What the IPC handlers (Electron main and the test bridge) need from the host side to plan,
 * apply and undo changes. Implemented by ChangeService (change-service.ts).
 */
import type { ApplyProgress, ApplyResult, JournalHistory, Plan, VfChange } from '../../../shared/plan';

export interface AssignRequest {
  address: string;
  group?: boolean;
  persist?: boolean;
  force?: boolean;
}

export interface SriovRequest {
  address: string;
  numVfs: number;
  /** Whether new VFs get a host driver (sriov_drivers_autoprobe); unchanged when absent. */
  autoprobe?: boolean;
  persist?: boolean;
  force?: boolean;
}

export interface VfConfigRequest {
  /** The PF. */
  address: string;
  vf: number;
  settings: VfChange;
}

/** The IOMMU wizard's request: the IOMMU on (with iommu=pt, VFIO modules early) or Passthru's arguments off. */
export interface IommuRequest {
  action: 'enable' | 'disable';
  pt?: boolean;
  earlyVfio?: boolean;
}

export interface ChangeServiceApi {
  /** Plans assigning a device (or its group) to vfio-pci; changes nothing. Throws PassthruError BAD_INPUT for unknown devices. */
  planAssign(request: AssignRequest): Promise<Plan>;
  /** Plans giving a device back to its recorded original driver; changes nothing. */
  planRelease(address: string): Promise<Plan>;
  /** Plans setting a PF's number of VFs; changes nothing. BAD_INPUT for a count out of range or a device without SR-IOV. */
  planSriov(request: SriovRequest): Promise<Plan>;
  /** Plans changing one VF's MAC, VLAN, trust, spoof check or link state; changes nothing. */
  planVfConfig(request: VfConfigRequest): Promise<Plan>;
  /**
   * Plans the IOMMU kernel arguments in the boot configuration the machine really uses; changes
   * nothing. Refused (ENVIRONMENT) for an unknown or ambiguous bootloader.
   */
  planIommu(request: IommuRequest): Promise<Plan>;
  /**
   * Applies a plan made earlier by this service (looked up by id), verifying every step and
   * rolling back on failure. Refused plans throw REFUSED unless forced with the right confirmText.
   */
  apply(planId: string, options: { confirmText?: string; onProgress?: (progress: ApplyProgress) => void }): Promise<ApplyResult>;
  /** Journal entries, newest first. */
  history(): Promise<JournalHistory>;
  /** Plans the exact reverse of a journaled change (the newest applied one by default). */
  planUndo(journalId?: string): Promise<Plan>;
}
