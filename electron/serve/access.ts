/**
 * Who may use `passthru serve`: whoever has the token it printed. The token (32 random bytes,
 * new on every start) is traded once per browser for a session cookie — random too, HttpOnly
 * (no script reads it), SameSite=Strict (no other site's page sends it), Secure under TLS —
 * and every other request, the WebSocket included, needs that cookie. Both are compared in
 * constant time. Wrong tokens are slowed down for everyone: after FREE_FAILURES of them, token
 * attempts are turned away unread for a time that doubles with each further failure.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Wrong tokens accepted before attempts are slowed down. */
export const FREE_FAILURES = 5;
/** The longest wait after a wrong token: a user mistyping once more is not locked out for long. */
export const MAX_WAIT_SECONDS = 60;
/** Browsers logged in at once; the oldest session goes first (each browser that opens the address has one). */
const MAX_SESSIONS = 64;

export type LoginResult =
  /** The token was right: send this Set-Cookie header. */
  | { kind: 'ok'; setCookie: string }
  /** The token was wrong. */
  | { kind: 'wrong' }
  /** Too many wrong tokens lately: not even read; try again in this many seconds. */
  | { kind: 'wait'; seconds: number };

export interface AccessGateOptions {
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Adds `Secure` (and the `__Host-` name prefix) to the cookie: the page is served over TLS. */
  secure: boolean;
  /** Milliseconds; tests move time. */
  now?: () => number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether two secrets are equal, taking the same time wherever they differ (fixed-size digests). */
function sameSecret(a: string, b: Buffer): boolean {
  return timingSafeEqual(digest(a), b);
}

export class AccessGate {
  readonly token: string;
  /** Random per start, so two servers on one machine (cookies ignore ports) keep their own. */
  readonly cookieName: string;
  private readonly tokenDigest: Buffer;
  private readonly sessions: Buffer[] = [];
  private failures = 0;
  private blockedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly options: AccessGateOptions) {
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.tokenDigest = digest(this.token);
    this.cookieName = `${options.secure ? '__Host-' : ''}passthru-${randomBytes(6).toString('hex')}`;
    this.now = options.now ?? Date.now;
  }

  /** A token from `?token=`: a new session when it is right. */
  login(candidate: string): LoginResult {
    const now = this.now();
    if (now < this.blockedUntil) return { kind: 'wait', seconds: Math.ceil((this.blockedUntil - now) / 1000) };
    if (!sameSecret(candidate, this.tokenDigest)) {
      this.failures++;
      if (this.failures >= FREE_FAILURES) {
        const seconds = Math.min(2 ** (this.failures - FREE_FAILURES), MAX_WAIT_SECONDS);
        this.blockedUntil = now + seconds * 1000;
      }
      return { kind: 'wrong' };
    }
    this.failures = 0;
    const session = randomBytes(32).toString('base64url');
    this.sessions.push(digest(session));
    if (this.sessions.length > MAX_SESSIONS) this.sessions.shift();
    const attributes = ['HttpOnly', 'SameSite=Strict', 'Path=/', ...(this.options.secure ? ['Secure'] : [])];
    return { kind: 'ok', setCookie: `${this.cookieName}=${session}; ${attributes.join('; ')}` };
  }

  /** Whether a Cookie header carries a session this server gave out. */
  admits(cookieHeader: string | undefined): boolean {
    if (!cookieHeader) return false;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq === -1 || part.slice(0, eq).trim() !== this.cookieName) continue;
      const value = digest(part.slice(eq + 1).trim());
      // Every session compared, whichever matches: the time says nothing of which.
      let found = false;
      for (const session of this.sessions) found = timingSafeEqual(value, session) || found;
      if (found) return true;
    }
    return false;
  }
}
