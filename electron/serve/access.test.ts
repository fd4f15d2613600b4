/**
 * The access gate on its own, with a clock the test moves: tokens and sessions, the cookie's
 * attributes, and the waits after wrong tokens (serve-security.test.ts checks the same over
 * real sockets, in real time).
 */
import { describe, expect, it } from 'vitest';
import { AccessGate, FREE_FAILURES, MAX_WAIT_SECONDS } from './access';

function gate(secure = false) {
  let now = 1_000_000;
  const g = new AccessGate({ token: 'right-token', secure, now: () => now });
  return { g, tick: (seconds: number) => (now += seconds * 1000) };
}

const cookieOf = (setCookie: string) => setCookie.split(';', 1)[0]!;

describe('AccessGate', () => {
  it('makes a 32-byte base64url token and a random cookie name of its own on every start', () => {
    const a = new AccessGate({ secure: false });
    const b = new AccessGate({ secure: false });
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.cookieName).toMatch(/^passthru-[0-9a-f]{12}$/);
    expect(a.cookieName).not.toBe(b.cookieName);
    expect(new AccessGate({ secure: true }).cookieName).toMatch(/^__Host-passthru-/);
  });

  it('trades the right token for a session cookie that it then admits, and nothing else', () => {
    const { g } = gate();
    const result = g.login('right-token');
    expect(result.kind).toBe('ok');
    const setCookie = result.kind === 'ok' ? result.setCookie : '';
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = cookieOf(setCookie);
    expect(g.admits(cookie)).toBe(true);
    expect(g.admits(`a=b; ${cookie}; c=d`)).toBe(true);
    for (const other of [undefined, '', 'right-token', `${g.cookieName}=right-token`, `${cookie}x`, `x${cookie}`, cookie.replace(g.cookieName, 'passthru-000000000000')]) {
      expect(g.admits(other), String(other)).toBe(false);
    }
    expect(gate(true).g.login('right-token')).toMatchObject({ setCookie: expect.stringMatching(/; Secure$/) as unknown });
  });

  it('keeps the newest 64 sessions: the oldest login is the first to go', () => {
    const { g } = gate();
    const cookies = Array.from({ length: 65 }, () => {
      const r = g.login('right-token');
      return r.kind === 'ok' ? cookieOf(r.setCookie) : '';
    });
    expect(g.admits(cookies[0])).toBe(false);
    expect(cookies.slice(1).every((c) => g.admits(c))).toBe(true);
  });

  it(`after ${FREE_FAILURES} wrong tokens, attempts wait 1, 2, 4 … seconds (at most ${MAX_WAIT_SECONDS}), unread; a right token resets the count`, () => {
    const { g, tick } = gate();
    for (let i = 0; i < FREE_FAILURES; i++) expect(g.login(`wrong-${i}`)).toEqual({ kind: 'wrong' });
    expect(g.login('right-token')).toEqual({ kind: 'wait', seconds: 1 });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const blocked = g.login('anything');
      if (blocked.kind !== 'wait') throw new Error('not blocked');
      waits.push(blocked.seconds);
      tick(blocked.seconds);
      expect(g.login('wrong')).toEqual({ kind: 'wrong' });
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    tick(MAX_WAIT_SECONDS);
    expect(g.login('right-token').kind).toBe('ok');
    for (let i = 0; i < FREE_FAILURES - 1; i++) expect(g.login('wrong').kind).toBe('wrong');
    expect(g.login('wrong').kind).toBe('wrong');
    expect(g.login('wrong').kind).toBe('wait');
  });
});
