/**
 * What the IPC handlers (Electron main and the test bridge) need from the host side to plan,
 * apply and undo changes. Implemented by ChangeService (change-service.ts).
 */
import type { ApplyProgress, ApplyResult, HistoryEntry, Plan } from '../../../shared/plan';

export interface AssignRequest {
  address: string;
  group?: boolean;
  persist?: boolean;
  force?: boolean;
}

export interface ChangeServiceApi {
  /** Plans assigning a device (or its group) to vfio-pci; changes nothing. Throws PassthruError BAD_INPUT for unknown devices. */
  planAssign(request: AssignRequest): Promise<Plan>;
  /** Plans giving a device back to its recorded original driver; changes nothing. */
  planRelease(address: string): Promise<Plan>;
  /**
   * Applies a plan made earlier by this service (looked up by id), verifying every step and
   * rolling back on failure. Refused plans throw REFUSED unless forced with the right confirmText.
   */
  apply(planId: string, options: { confirmText?: string; onProgress?: (progress: ApplyProgress) => void }): Promise<ApplyResult>;
  /** Journal entries, newest first. */
  history(): Promise<HistoryEntry[]>;
  /** Plans the exact reverse of a journaled change (the newest applied one by default). */
  planUndo(journalId?: string): Promise<Plan>;
}
