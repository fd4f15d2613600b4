/**
 * The pkexec helper's protocol, shared by the helper and ChangeService (the caller).
 *
 * stdin: exactly one JSON request — `{"verb":"apply","plan":Plan[,"reverses":journalId]}` or
 * `{"verb":"rollback","journalId":"..."}`; nothing else is accepted.
 * stdout: JSON lines — `{"type":"progress","progress":ApplyProgress}` while working, then one
 * `{"type":"result","result":ApplyResult}` or `{"type":"error","error":PassthruErrorData}`.
 * Exit status: {@link HELPER_EXIT}.
 */
import type { PassthruErrorData } from '../../../shared/errors';
import type { ApplyProgress, ApplyResult, Plan } from '../../../shared/plan';

export const HELPER_PATH = '/usr/lib/passthru/passthru-helper';

/** `reverses`: for an undo plan, the journal entry it reverses (marked 'undone' once applied). */
export type HelperRequest = { verb: 'apply'; plan: Plan; reverses?: string } | { verb: 'rollback'; journalId: string };

export type HelperLine =
  | { type: 'progress'; progress: ApplyProgress }
  | { type: 'result'; result: ApplyResult }
  | { type: 'error'; error: PassthruErrorData };

export const HELPER_EXIT = {
  /** Applied (or rolled back) completely. */
  OK: 0,
  /** A bug or unexpected condition. */
  INTERNAL: 1,
  /** The request was malformed, used an unknown verb, or an argument failed re-validation. */
  BAD_REQUEST: 2,
  /** A step failed; the result says which and whether everything was undone. */
  FAILED: 4,
} as const;

/** pkexec's own exit statuses: the user closed the dialog / polkit said no. */
export const PKEXEC_DISMISSED = 126;
export const PKEXEC_NOT_AUTHORIZED = 127;

/** Parses and shape-checks one request; deep argument checks are the ops' validate(). */
export function parseHelperRequest(text: string): HelperRequest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('The request is not JSON.');
  }
  const r = data as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error('The request is not an object.');
  if (r.verb === 'apply' && typeof r.plan === 'object' && r.plan !== null) {
    const keys = Object.keys(r).length;
    if (keys === 2) return { verb: 'apply', plan: r.plan as Plan };
    if (keys === 3 && typeof r.reverses === 'string') return { verb: 'apply', plan: r.plan as Plan, reverses: r.reverses };
  }
  if (r.verb === 'rollback' && typeof r.journalId === 'string' && Object.keys(r).length === 2) {
    return { verb: 'rollback', journalId: r.journalId };
  }
  throw new Error(`Unknown or malformed request (verb ${JSON.stringify(r.verb)}).`);
}

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
  if (line.type !== 'progress' && line.type !== 'result' && line.type !== 'error') return null;
  const payload = line[line.type];
  return payload !== null && typeof payload === 'object' ? (data as HelperLine) : null;
}
