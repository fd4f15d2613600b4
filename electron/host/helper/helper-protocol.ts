/**
 * The pkexec helper's protocol, shared by the helper and ChangeService (the caller).
 *
 * stdin: exactly one JSON ChangeRequest — `{"intent":{…},"digest":"<sha256>","confirmText":null}`
 * (shared/plan.ts, checked by shared/change-schemas.ts). The helper takes what the user asked
 * and the fingerprint of the plan they saw, never steps: it plans the intent itself
 * (changes/change-executor.ts). An undo is the intent `{"kind":"undo","journalId":…}`, read
 * from the helper's own journal.
 * stdout: JSON lines — `{"type":"progress","progress":ApplyProgress}` while working (and
 * `{"type":"check","check":LiveCheckResult}` for a change under confirm-or-revert), then one
 * `{"type":"result","result":ApplyResult}` or `{"type":"error","error":PassthruErrorData}`.
 * Exit status: {@link HELPER_EXIT}.
 */
import type { LiveCheckResult } from '#shared/confirm-window';
import type { PassthruErrorData } from '#shared/errors';
import type { ApplyProgress, ApplyResult, ChangeRequest } from '#shared/plan';

export const HELPER_PATH = '/usr/lib/passthru/passthru-helper';

export type HelperRequest = ChangeRequest;

export type HelperLine =
  | { type: 'progress'; progress: ApplyProgress }
  /** A change under confirm-or-revert: one check from the host's side, as it settles. */
  | { type: 'check'; check: LiveCheckResult }
  | { type: 'result'; result: ApplyResult }
  | { type: 'error'; error: PassthruErrorData };

export const HELPER_EXIT = {
  /** Applied (or rolled back) completely. */
  OK: 0,
  /** A bug or unexpected condition. */
  INTERNAL: 1,
  /** The request was malformed, or an argument failed re-validation. */
  BAD_REQUEST: 2,
  /** Refused: the plan is not the one shown, or a safety check (or the environment) refuses it. */
  REFUSED: 3,
  /** A step failed; the result says which and whether everything was undone. */
  FAILED: 4,
} as const;

/** pkexec's own exit statuses: the user closed the dialog / polkit said no. */
export const PKEXEC_DISMISSED = 126;
export const PKEXEC_NOT_AUTHORIZED = 127;

/**
 * Parses one stdout line of the helper; null when it is not a protocol line (not JSON, or not
 * one of the three shapes), so the caller can report it instead of tripping over it.
 */
export function parseHelperLine(text: string): HelperLine | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const line = data as Record<string, unknown>;
  // Each line type carries its payload under a key named like the type.
  if (line.type !== 'progress' && line.type !== 'check' && line.type !== 'result' && line.type !== 'error') return null;
  const payload = line[line.type];
  return payload !== null && typeof payload === 'object' ? (data as HelperLine) : null;
}
