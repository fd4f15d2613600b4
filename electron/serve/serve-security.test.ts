/**
 * `passthru serve` is secure by default, checked against the real server (the CLI bundle, as
 * its own process) over real sockets: a fresh token on every start, traded for an HttpOnly,
 * SameSite=Strict session cookie that everything else needs; wrong tokens slowed down; loopback
 * by default, a 0600 unix socket, and the network only with TLS; GET and HEAD only; the Host
 * and Origin checks; the security headers on every answer and no CORS header ever.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SOCKET_PATH } from '#shared/socket-protocol';
import { SECURITY_HEADERS } from './static-files';
import { NOT_LOGGED_IN } from './serve-server';
import { buildServe, httpGet, login, makeCertificate, REPO_ROOT, upgradeStatus, type Answer, type BuiltServe, type RunningServe } from './testing/serve-test-support';

let built: BuiltServe;
const running: RunningServe[] = [];

beforeAll(async () => {
  built = await buildServe();
}, 60_000);
afterAll(() => built?.dispose());
afterEach(() => {
  for (const r of running.splice(0)) r.stop();
});

async function start(args: string[] = [], env: Record<string, string> = {}): Promise<RunningServe> {
  const serve = await built.start(args, env);
  running.push(serve);
  return serve;
}

/** `passthru serve …` that is expected to exit by itself (bad input, --dry-run). */
function runServe(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [built.cli, 'serve', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PASSTHRU_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Opens the WebSocket as a page would; resolves with 'open' or rejects with why not. */
function openSocket(url: string, origin: string, headers: Record<string, string>, options: { ca?: Buffer } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin, headers, ...(options.ca ? { ca: options.ca } : {}) });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
    ws.on('error', reject);
  });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectSecurityHeaders(answer: Answer, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers[name], `${name} on ${what}`).toBe(value);
  expect(
    Object.keys(answer.headers).filter((h) => h.startsWith('access-control-')),
    `CORS headers on ${what}`,
  ).toEqual([]);
}

describe('passthru serve: the token and the session cookie', () => {
  it('prints exactly one address, with a token of 32 random bytes (base64url) that is new on every start, and the ssh -L line', async () => {
    const a = await start();
    const b = await start();
    for (const s of [a, b]) {
      await s.printed(/Ctrl-C stops it/);
      expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s.token, 'base64url')).toHaveLength(32);
      expect(s.url).toBe(`http://127.0.0.1:${s.port}/?token=${s.token}`);
      expect(s.output().match(/^Passthru is serving at /gm)).toHaveLength(1);
      expect(s.output()).toMatch(new RegExp(`^From another machine: ssh -L ${s.port}:127\\.0\\.0\\.1:${s.port} \\S+, then open the same address there\\.$`, 'm'));
      // ChangeService's decision, in words: the tests run as root or not.
      expect(s.output()).toMatch(process.getuid?.() === 0 ? /applied by this process, which runs as root/ : /go through pkexec and the Passthru helper/);
    }
    expect(a.token).not.toBe(b.token);
  }, 30_000);

  it('the right token answers 303 to the same path without it, with a random HttpOnly, SameSite=Strict, Path=/ cookie (no Secure over plain HTTP)', async () => {
    const s = await start();
    const first = await httpGet(s.port, `/assets/app.js?a=1&token=${s.token}&b=2`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/assets/app.js?a=1&b=2');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^passthru-[0-9a-f]{12}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect((await httpGet(s.port, `/?token=${s.token}`)).headers.location).toBe('/');
    // Each login is a session of its own, and neither is the token.
    const second = (await httpGet(s.port, `/?token=${s.token}`)).headers['set-cookie']?.[0] ?? '';
    expect(second.split(';')[0]).not.toBe(cookie.split(';')[0]);
    expect(cookie).not.toContain(s.token);
    const page = await httpGet(s.port, '/assets/app.js', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toBe('console.log(1);\n');
  }, 30_000);

  it('without the session cookie nothing is served — pages, files, the WebSocket — only a 401 saying how to get in', async () => {
    const s = await start();
    const cookie = await login(s);
    const name = cookie.split('=')[0]!;
    for (const headers of [{}, { cookie: `${name}=made-up` }, { cookie: `${name}=` }, { cookie: `other=${cookie.split('=')[1]!}` }, { cookie: s.token }] as Record<
      string,
      string
    >[]) {
      for (const path of ['/', '/index.html', '/assets/app.js', '/missing', '/%E0%A4%A']) {
        const answer = await httpGet(s.port, path, { headers });
        expect(answer.status, `${path} with ${JSON.stringify(headers)}`).toBe(401);
        expect(answer.body).toBe(`${NOT_LOGGED_IN}\n`);
      }
      const cookieLine = 'cookie' in headers ? [`Cookie: ${headers.cookie}`] : [];
      expect(await upgradeStatus(s.port, [`Host: 127.0.0.1:${s.port}`, `Origin: http://127.0.0.1:${s.port}`, ...cookieLine])).toBe('HTTP/1.1 401 Unauthorized');
    }
    // With it: the page, and the WebSocket.
    expect((await httpGet(s.port, '/', { headers: { cookie } })).status).toBe(200);
    expect(await openSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}`, `http://127.0.0.1:${s.port}`, { cookie })).toBe('open');
  }, 30_000);

  it('a wrong token is 401; after 5 of them every token attempt waits (429), longer after each further failure: brute force is slowed', async () => {
    const s = await start();
    const attempt = (token: string) => httpGet(s.port, `/?token=${encodeURIComponent(token)}`);
    for (let i = 0; i < 5; i++) {
      const answer = await attempt(`wrong-${i}`);
      expect(answer.status).toBe(401);
      expect(answer.body).toBe(`Wrong token. ${NOT_LOGGED_IN}\n`);
    }
    // Now not even the right token is read until the wait is over.
    const blocked = await attempt(s.token);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBe('1');
    expectSecurityHeaders(blocked, '429');
    // In that second, a flood gets no further answer than 429: nothing is tried.
    const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`guess-${i}`)));
    expect(flood.map((a) => a.status)).toEqual(Array(20).fill(429));
    await wait(1100);
    expect((await attempt('wrong-again')).status).toBe(401);
    const longer = await attempt(s.token);
    expect(longer.status).toBe(429);
    expect(longer.headers['retry-after']).toBe('2');
    await wait(2100);
    // The wait is over: the right token gets in, and the count starts again.
    expect((await attempt(s.token)).status).toBe(303);
    expect((await attempt('wrong-after')).status).toBe(401);
  }, 30_000);
});

describe('passthru serve: what it answers, and to whom', () => {
  it('refuses every method but GET and HEAD, so a cross-site form POST changes nothing — even with the cookie', async () => {
    const s = await start();
    const cookie = await login(s);
    const form = 'channel=plan%3Aapply&payload=%7B%7D';
    for (const headers of [{}, { cookie }] as Record<string, string>[]) {
      const answer = await httpGet(s.port, '/', {
        method: 'POST',
        headers: { ...headers, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(form.length) },
        body: form,
      });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
      expectSecurityHeaders(answer, 'a cross-site POST');
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await httpGet(s.port, SOCKET_PATH, { method, headers: { cookie, origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(answer.status, method).toBe(405);
      expectSecurityHeaders(answer, method);
    }
    expect((await httpGet(s.port, '/', { method: 'HEAD', headers: { cookie } })).status).toBe(200);
  }, 30_000);

  it('every answer carries the CSP, nosniff and no-referrer headers, and never a CORS header', async () => {
    const s = await start();
    const cookie = await login(s);
    const origin = { origin: 'https://evil.example' };
    const answers: [string, Answer][] = [
      ['200 page', await httpGet(s.port, '/', { headers: { ...origin, cookie } })],
      ['200 script', await httpGet(s.port, '/assets/app.js', { headers: { ...origin, cookie } })],
      ['303 login', await httpGet(s.port, `/?token=${s.token}`, { headers: origin })],
      ['401', await httpGet(s.port, '/', { headers: origin })],
      ['401 wrong token', await httpGet(s.port, '/?token=nope', { headers: origin })],
      ['400', await httpGet(s.port, '/%E0%A4%A', { headers: { ...origin, cookie } })],
      ['404', await httpGet(s.port, '/missing.js', { headers: { ...origin, cookie } })],
      ['405', await httpGet(s.port, '/', { method: 'DELETE', headers: origin })],
      ['421', await httpGet(s.port, '/', { headers: { ...origin, cookie, host: 'evil.example' } })],
    ];
    for (const [what, answer] of answers) expectSecurityHeaders(answer, what);
    expect(SECURITY_HEADERS['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  }, 30_000);

  it('answers only to loopback names on its own port (no DNS rebinding), and takes the WebSocket only from its own exact origin', async () => {
    const s = await start();
    const cookie = await login(s);
    for (const host of ['evil.example', `evil.example:${s.port}`, `127.0.0.1.nip.io:${s.port}`, `127.0.0.1:${s.port + 1}`, '127.0.0.1']) {
      expect((await httpGet(s.port, '/', { headers: { cookie, host } })).status, host).toBe(421);
      expect(await upgradeStatus(s.port, [`Host: ${host}`, `Origin: http://${host}`, `Cookie: ${cookie}`])).toBe('HTTP/1.1 421 Misdirected Request');
    }
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`]) {
      expect((await httpGet(s.port, '/', { headers: { cookie, host } })).status, host).toBe(200);
    }
    const ws = `ws://127.0.0.1:${s.port}${SOCKET_PATH}`;
    for (const origin of ['https://evil.example', `http://localhost:${s.port}`, `https://127.0.0.1:${s.port}`, `http://127.0.0.1:${s.port + 1}`, 'null']) {
      await expect(openSocket(ws, origin, { cookie }), origin).rejects.toThrow('HTTP 403');
    }
    expect(await openSocket(ws, `http://127.0.0.1:${s.port}`, { cookie })).toBe('open');
  }, 30_000);
});

describe('passthru serve: where it listens', () => {
  it('refuses (exit 2) an address other machines can reach without TLS, saying why', () => {
    for (const listen of ['0.0.0.0', '::', '192.0.2.1', '[2001:db8::1]']) {
      const r = runServe(['--listen', listen, '--dry-run']);
      expect(r.status, `${listen}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/without TLS would send the token and the host's data across the network in clear\. Give --tls-cert FILE and --tls-key FILE/);
    }
    for (const listen of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(runServe(['--listen', listen, '--dry-run', '--root', join(REPO_ROOT, 'e2e/fixtures/seed')]).status, listen).toBe(0);
    }
    expect(runServe(['--listen', 'example.com', '--dry-run']).status).toBe(2);
    const dir = built.scratch();
    const { cert } = makeCertificate(dir);
    expect(runServe(['--listen', '0.0.0.0', '--tls-cert', cert, '--dry-run']).stderr).toMatch(/--tls-cert and --tls-key go together/);
    expect(runServe(['--listen', '0.0.0.0', '--tls-cert', cert, '--tls-key', cert, '--dry-run']).status).toBe(2);
  }, 30_000);

  it('with --tls-cert and --tls-key it serves https and wss only, and the cookie is Secure', async () => {
    const dir = built.scratch();
    const { cert, key } = makeCertificate(dir);
    const ca = readFileSync(cert);
    const s = await start(['--listen', '0.0.0.0', '--tls-cert', cert, '--tls-key', key]);
    expect(s.url).toMatch(/^https:\/\//);
    // Reachable from the network already: no ssh line.
    expect(await s.printed(/Ctrl-C stops it/)).not.toContain('ssh -L');
    const first = await httpGet(s.port, `/?token=${s.token}`, { ca });
    expect(first.status).toBe(303);
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^__Host-passthru-[0-9a-f]{12}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
    const cookie = setCookie.split(';')[0]!;
    expectSecurityHeaders(await httpGet(s.port, '/', { ca, headers: { cookie } }), 'https');
    expect(await openSocket(`wss://127.0.0.1:${s.port}${SOCKET_PATH}`, `https://127.0.0.1:${s.port}`, { cookie }, { ca })).toBe('open');
    await expect(openSocket(`wss://127.0.0.1:${s.port}${SOCKET_PATH}`, `http://127.0.0.1:${s.port}`, { cookie }, { ca })).rejects.toThrow('HTTP 403');
    // Plain HTTP gets no page from a TLS port.
    await expect(httpGet(s.port, '/', { headers: { cookie } })).rejects.toThrow();
    expect((await httpGet(s.port, '/', { ca, headers: { cookie, host: `evil.example:${s.port}` } })).status).toBe(421);
  }, 30_000);

  it('--listen unix:PATH makes a socket only its owner may open (0600), answers there, and removes it when stopped', async () => {
    const dir = built.scratch();
    const path = join(dir, 'passthru.sock');
    const s = await start(['--listen', `unix:${path}`]);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(s.output()).toContain(`Passthru is serving on unix:${path}\n`);
    expect(s.output()).toContain(`Open http://127.0.0.1:8417/?token=${s.token} after forwarding it (from another machine, or this one): ssh -L 8417:${path} `);
    const viaSocket = { socketPath: path };
    const answer = await httpGet(8417, `/?token=${s.token}`, viaSocket);
    expect(answer.status).toBe(303);
    const cookie = answer.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    // Forwarded by ssh -L to any local port: loopback names, any port.
    expect((await httpGet(9999, '/', { ...viaSocket, headers: { cookie } })).status).toBe(200);
    expect((await httpGet(9999, '/', { ...viaSocket, headers: { cookie, host: 'evil.example:9999' } })).status).toBe(421);
    s.stop();
    await new Promise((r) => s.child.once('exit', r));
    expect(existsSync(path)).toBe(false);
    expect(runServe(['--listen', `unix:${path}`, '--port', '1', '--dry-run']).status).toBe(2);
  }, 30_000);

  it('Ctrl-C and SIGTERM stop it cleanly: exit 0, nothing left listening', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const s = await start();
      const cookie = await login(s);
      // An open WebSocket and a kept-alive connection must not hold it up.
      expect(await openSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}`, `http://127.0.0.1:${s.port}`, { cookie })).toBe('open');
      s.child.kill(signal);
      const code = await new Promise((r) => s.child.once('exit', (c) => r(c)));
      expect(code, signal).toBe(0);
      expect(s.output()).toContain('passthru: stopped serving.');
      await expect(httpGet(s.port, '/')).rejects.toThrow();
    }
  }, 30_000);

  it('--dry-run checks everything and says where it would listen, without listening', () => {
    const r = runServe(['--dry-run', '--port', '8417', '--root', join(REPO_ROOT, 'e2e/fixtures/seed')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Would serve the app http on 127\.0\.0\.1 port 8417, showing the snapshot /);
  });
});
