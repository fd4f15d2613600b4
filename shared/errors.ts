/**
 * Error codes shared by the CLI (exit codes), the IPC layer (errors cross as data) and the
 * renderer (plain-words explanations). One sentence of message plus a remedy, always.
 */

export const ERROR_CODES = {
  /** Bad input or usage; nothing changed. */
  BAD_INPUT: 2,
  /** Refused by a safety check; nothing changed. */
  REFUSED: 3,
  /** The operation failed and was rolled back. */
  FAILED: 4,
  /** The environment lacks something required (no IOMMU, no vfio-pci, ...). */
  ENVIRONMENT: 5,
  /** A bug or an unexpected condition in Passthru itself. */
  INTERNAL: 1,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable form of an error, as it crosses IPC and appears in `--json` output. */
export interface PassthruErrorData {
  code: ErrorCode;
  /** One plain sentence saying what went wrong. */
  message: string;
  /** What the user can do about it. */
  remedy: string | null;
  /** Technical detail (stderr, errno, path), for the "details" disclosure. */
  detail?: string | null;
}

/** Thrown on the host side; rebuilt from data on the other side of IPC. */
export class PassthruError extends Error {
  readonly code: ErrorCode;
  readonly remedy: string | null;
  readonly detail: string | null;

  constructor(code: ErrorCode, message: string, remedy: string | null = null, detail: string | null = null) {
    super(message);
    this.name = 'PassthruError';
    this.code = code;
    this.remedy = remedy;
    this.detail = detail;
  }

  toData(): PassthruErrorData {
    return { code: this.code, message: this.message, remedy: this.remedy, detail: this.detail };
  }

  static fromData(data: PassthruErrorData): PassthruError {
    return new PassthruError(data.code, data.message, data.remedy, data.detail ?? null);
  }
}

/** Input that cannot be acted on (exit 2): one sentence, and what to do instead when there is a way. */
export function badInput(message: string, remedy: string | null = null): PassthruError {
  return new PassthruError('BAD_INPUT', message, remedy);
}

/** Normalises anything thrown into error data; unknown errors become INTERNAL. */
export function toErrorData(err: unknown): PassthruErrorData {
  if (err instanceof PassthruError) return err.toData();
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'INTERNAL',
    message: `Unexpected error: ${message}`,
    remedy: 'This is a bug in Passthru; please report it with a snapshot (passthru snapshot DIR).',
    detail: err instanceof Error ? (err.stack ?? null) : null,
  };
}

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code];
}
