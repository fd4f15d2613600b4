/**
 * Normalises whatever a `window.passthru` call rejected with into what the UI shows:
 * a plain sentence, a remedy and optional technical detail. Duck-typed rather than
 * `instanceof PassthruError`, because errors crossing Electron's contextBridge arrive as
 * plain objects or bare Errors.
 */
import type { ErrorCode, PassthruErrorData } from '#shared/errors';
import { ERROR_CODES } from '#shared/errors';

export interface DisplayError {
  code: ErrorCode;
  message: string;
  remedy: string | null;
  detail: string | null;
}

function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, v);
}

/** Electron prefixes rejected IPC errors with this; it means nothing to a user. */
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:Error: )?/;

export function toDisplayError(err: unknown): DisplayError {
  if (err && typeof err === 'object') {
    const e = err as Partial<PassthruErrorData> & { message?: unknown; stack?: unknown };
    if (isErrorCode(e.code) && typeof e.message === 'string') {
      return {
        code: e.code,
        message: e.message,
        remedy: typeof e.remedy === 'string' ? e.remedy : null,
        detail: typeof e.detail === 'string' ? e.detail : null,
      };
    }
    if (typeof e.message === 'string') {
      return {
        code: 'INTERNAL',
        message: e.message.replace(IPC_PREFIX, '') || 'Something went wrong.',
        remedy: 'Try again. If it keeps happening, report it with a snapshot (passthru snapshot DIR).',
        detail: typeof e.stack === 'string' ? e.stack : null,
      };
    }
  }
  return {
    code: 'INTERNAL',
    message: typeof err === 'string' && err ? err : 'Something went wrong.',
    remedy: 'Try again. If it keeps happening, report it with a snapshot (passthru snapshot DIR).',
    detail: null,
  };
}

const CODE_LABELS: Record<ErrorCode, string> = {
  BAD_INPUT: 'Bad input',
  REFUSED: 'Refused by a safety check',
  FAILED: 'Operation failed',
  ENVIRONMENT: 'Something this host lacks',
  INTERNAL: 'Unexpected error',
};

export function errorCodeLabel(code: ErrorCode): string {
  return CODE_LABELS[code];
}
