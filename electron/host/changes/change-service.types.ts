/**
 * What the IPC handlers (Electron main and `passthru serve`) need from the host side to plan,
 * apply and undo changes. Implemented by ChangeService (change-service.ts).
 */
import type { ChangeRoute } from '#shared/app-status';
import type { LiveCheckResult } from '#shared/confirm-window';
import type { ApplyProgress, ApplyResult, JournalHistory, Plan } from '#shared/plan';

export interface ApplyCallOptions {
  confirmText?: string;
  onProgress?: (progress: ApplyProgress) => void;
  /** A change under confirm-or-revert: each check from the host's side as it settles. */
  onCheck?: (result: LiveCheckResult) => void;
}

/**
 * A change as a caller asks for it: its kind and that kind's options (changes/kinds/<kind>.ts
 * declares them, and checks them strictly, as `request`). Loose here because the kinds in use
 * are known at run time (a test may add one); the registry refuses what its kind does not take.
 */
export type ChangeRequestInput = { readonly kind: string } & Readonly<Record<string, unknown>>;

export interface ChangeServiceApi {
  /**
   * Plans a change (`{ kind: 'assign', address, group? … }`); changes nothing. BAD_INPUT for an
   * unknown kind, a malformed request or a device that does not exist; the plan itself says
   * what refuses it.
   */
  planChange(request: ChangeRequestInput, asker?: { sessionAddress?: string | null }): Promise<Plan>;
  /**
   * Applies a plan made earlier by this service (looked up by id), verifying every step and
   * rolling back on failure. Refused plans throw REFUSED unless forced with the right confirmText.
   */
  apply(planId: string, options: ApplyCallOptions): Promise<ApplyResult>;
  /** Journal entries, newest first. */
  history(): Promise<JournalHistory>;
  /** Plans the exact reverse of a journaled change (the newest applied one by default). */
  planUndo(journalId?: string): Promise<Plan>;
  /** By which road an applied change would reach the host now. */
  route(): ChangeRoute;
}
