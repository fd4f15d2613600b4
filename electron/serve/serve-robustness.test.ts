/**
 * No request can stop `passthru serve`, since anything that can reach its port may send
 * anything. Random HTTP request lines, paths (bad percent-encoding included), headers and
 * bodies, and random WebSocket frames sent as raw bytes (bad UTF-8, RSV bits, every opcode,
 * lies about the length, sizes over the limit, JSON of every type) — after each one the process
 * is still running and answers the next good HTTP request and the next good WebSocket request.
 * The Host and Origin checks keep refusing what they refused before.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SOCKET_PATH } from '#shared/socket-protocol';
import { buildServe, encodeFrame, httpGet, login, rawExchange, rawWebSocket, type BuiltServe, type FrameSpec, type RunningServe } from './testing/serve-test-support';

let built: BuiltServe;
let server: RunningServe;
/** The session cookie of this test's server: the fuzz is mostly logged in, so it reaches past the gate. */
let cookie: string;

beforeAll(async () => {
  built = await buildServe();
}, 60_000);
afterAll(() => built?.dispose());

// A fresh process per test: one test that stops the server says nothing about the others.
beforeEach(async () => {
  server = await built.start();
  cookie = await login(server);
}, 30_000);
afterEach(() => server?.stop());

/** A GET with the session cookie (unless headers replace it). */
const get = (path: string, headers: Record<string, string> = {}) => httpGet(server.port, path, { headers: { cookie, ...headers } });

/** One good request over the real WebSocket client, as the page makes it. */
function goodSocketRequest(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${SOCKET_PATH}`, { origin: `http://127.0.0.1:${server.port}`, headers: { cookie } });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no WebSocket answer in 5 s'));
    }, 5_000);
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('open', () => ws.send(JSON.stringify({ id: 7, channel: 'host:source', payload: {} })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: number; result?: unknown };
      if (message.type !== 'result') return;
      clearTimeout(timer);
      ws.close();
      resolve(message);
    });
  });
}

/** The server is still there and answers a good page request and a good socket request. */
async function expectAlive(what: string): Promise<void> {
  expect(server.child.exitCode, `passthru serve exited after ${what}:\n${server.output()}`).toBeNull();
  expect(server.child.signalCode, `passthru serve was killed after ${what}`).toBeNull();
  const page = await get('/');
  expect(page.status, `GET / after ${what}`).toBe(200);
  expect(await goodSocketRequest()).toMatchObject({ type: 'result', id: 7, result: { ok: true } });
}

describe('passthru serve survives any request', () => {
  it("the review's examples: bad percent-encoding is 400, the socket answers or closes, the process stays", async () => {
    const bad = await get('/%E0%A4%A');
    expect(bad.status).toBe(400);
    await expectAlive('GET /%E0%A4%A');
    for (const text of ['null', '1', '"x"', '[]', '{}', '{"id":"x","channel":1}', '{"id":1}', '{', '\u0000']) {
      const { socket, received } = await rawWebSocket(server.port, cookie);
      socket.write(encodeFrame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from(text) }));
      await new Promise((r) => setTimeout(r, 100));
      // An error reply (a text frame) or a close; never silence followed by a dead process.
      expect(received().length, `no answer to ${JSON.stringify(text)}`).toBeGreaterThan(0);
      socket.destroy();
      await expectAlive(`the frame ${JSON.stringify(text)}`);
    }
    for (const frame of [
      { fin: true, rsv: 4, opcode: 1, masked: true, payload: Buffer.from('{}') },
      { fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.alloc(0), claimedLength: 2 ** 40 },
      { fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from([0xc3, 0x28]) },
    ] satisfies FrameSpec[]) {
      const { socket } = await rawWebSocket(server.port, cookie);
      socket.write(encodeFrame(frame));
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
      await expectAlive(`a frame with rsv ${frame.rsv}, claimed length ${frame.claimedLength ?? frame.payload.length}`);
    }
  }, 60_000);

  it('a message over the size limit closes that socket (1009) and nothing else', async () => {
    const { socket, received, closed } = await rawWebSocket(server.port, cookie);
    socket.write(encodeFrame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.alloc(2 * 1024 * 1024, 0x20) }));
    await new Promise((r) => setTimeout(r, 300));
    const reply = received();
    // A close frame (opcode 8) carrying 1009 "message too big", or the connection dropped.
    expect(closed() || (reply[0] === 0x88 && reply.readUInt16BE(2) === 1009)).toBe(true);
    socket.destroy();
    await expectAlive('a 2 MiB message');
  }, 30_000);

  it('random HTTP requests (request line, path, headers, body) never stop it', async () => {
    // Weighted towards requests the HTTP parser accepts, so most reach the server's own code.
    const token = fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,12}$/);
    const segment = fc.oneof(
      { weight: 3, arbitrary: token },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          '%',
          '%E0',
          '%E0%A4%A',
          '%A',
          '%g1',
          '%ff',
          '%C0%AF',
          '%00',
          '%1B%5B2J',
          '%E2%80%AE',
          '%5C',
          '%2F',
          '%2e%2e',
          '..',
          '.',
          '',
          'index.html',
          'assets',
          'app.js',
          'socket',
          '?token=',
          '?token=wrong',
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((t) => encodeURIComponent(t)) },
      { weight: 1, arbitrary: fc.constantFrom('\u00e9', '\u202e', '\u001b', ' ', '\t') },
    );
    const pathPart = fc.oneof(
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/',
          '/index.html',
          '/assets/app.js',
          '/assets',
          SOCKET_PATH,
          '/?token=',
          '/?token=%zz',
          '/x/y?a=1&token=wrong&b=%',
          '//evil.example/?token=x',
          '/..',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/%00',
          '/%',
          '/%E0%A4%A',
          '/%ff%fe',
          '/%C0%AF',
          '//x',
          '/?%zz',
          '*',
          'http://127.0.0.1/',
          '/x?a=%zz#%',
          `/${'a'.repeat(5000)}`,
        ),
      },
      {
        weight: 6,
        arbitrary: fc.tuple(fc.array(segment, { maxLength: 6 }), fc.option(token, { nil: undefined })).map(([parts, q]) => `/${parts.join('/')}${q === undefined ? '' : `?${q}`}`),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((t) => `/${t}`) },
    );
    const method = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD') },
      { weight: 2, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'FOO', 'G\u0000T', '') },
    );
    const hostHeader = fc.oneof(
      { weight: 6, arbitrary: fc.constant(`127.0.0.1:${server.port}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          `localhost:${server.port}`,
          `[::1]:${server.port}`,
          'evil.example:80',
          '127.0.0.1',
          '',
          '127.0.0.1:99999',
          `127.0.0.1:${server.port}\u0000`,
          `127.0.0.1:${server.port}, evil.example:80`,
        ),
      },
    );
    const cookieHeader = fc.oneof(
      { weight: 5, arbitrary: fc.constant(`Cookie: ${cookie}`) },
      { weight: 1, arbitrary: fc.constantFrom('', 'Cookie: ', `Cookie: ${cookie.split('=')[0]}=`, 'Cookie: a=b; ; =; x', `Cookie: x=1; ${cookie}; ${cookie}x`) },
    );
    const extraHeaders = fc.array(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            'Transfer-Encoding: chunked',
            'Content-Length: 5',
            'Content-Length: -1',
            'Content-Length: 99999999999',
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Connection: close',
            'Origin: null',
            'Expect: 100-continue',
            'Range: bytes=0-0',
            'Accept-Encoding: gzip',
          ),
        },
        { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ unit: 'binary', maxLength: 30 })).map(([k, v]) => `${k}: ${v}`) },
        { weight: 1, arbitrary: fc.constant(`X-Big: ${'a'.repeat(20_000)}`) },
      ),
      { maxLength: 3 },
    );
    const body = fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 64 }), fc.constant('0\r\n\r\n'), fc.constant('zz\r\nxx\r\n'));
    const version = fc.oneof({ weight: 6, arbitrary: fc.constant('HTTP/1.1') }, { weight: 2, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '') });
    await fc.assert(
      fc.asyncProperty(method, pathPart, version, hostHeader, cookieHeader, extraHeaders, body, async (m, p, v, host, c, headers, b) => {
        const lines = [...(c ? [c] : []), ...headers];
        const text = `${m} ${p} ${v}\r\nHost: ${host}\r\n${lines.map((h) => `${h}\r\n`).join('')}\r\n${b}`;
        const reply = await rawExchange(server.port, [Buffer.from(text, 'utf8')]);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(reply.toString('latin1'))?.[1];
        // Whatever it says, it is never a 5xx (an error of ours) — and the server stays up.
        if (status !== undefined) expect(Number(status), `${JSON.stringify(text.slice(0, 200))} → ${status}`).toBeLessThan(500);
        await expectAlive(JSON.stringify(text.slice(0, 200)));
      }),
      { numRuns: 120, endOnFailure: true },
    );
  }, 300_000);

  it('random WebSocket frames (opcodes, RSV bits, masks, lengths, bad UTF-8, JSON of every type) never stop it', async () => {
    const jsonText = fc.oneof(
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ id: 1, channel: 'host:scan', payload: v })),
      fc
        .record({
          id: fc.jsonValue(),
          channel: fc.oneof(fc.string(), fc.constantFrom('host:scan', 'vm:list', 'history:list', '__proto__', 'constructor', 'toString')),
          payload: fc.jsonValue(),
        })
        .map((r) => JSON.stringify(r)),
      fc.constantFrom(
        '{"id":1,"channel":"host:openSnapshot","payload":{"path":"/proc/self"}}',
        '{"id":1,"channel":"vm:createDisk","payload":{"path":"","sizeGiB":-1}}',
        '{"__proto__":{"x":1}}',
      ),
    );
    const payload = fc.oneof(
      jsonText.map((t) => Buffer.from(t)),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff]), Buffer.from([0x03, 0xe8]), Buffer.from([0x03, 0xe7]), Buffer.alloc(0)),
    );
    const frame: fc.Arbitrary<FrameSpec> = fc.record({
      fin: fc.boolean(),
      rsv: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7 })),
      opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
      masked: fc.oneof(fc.constant(true), fc.boolean()),
      payload,
      claimedLength: fc.option(fc.constantFrom(0, 1, 125, 126, 65535, 65536, 2 ** 31, 2 ** 53 - 1), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const { socket } = await rawWebSocket(server.port, cookie);
        for (const f of frames) socket.write(encodeFrame(f));
        await new Promise((r) => setTimeout(r, 30));
        socket.destroy();
        await expectAlive(JSON.stringify(frames.map((f) => ({ ...f, payload: f.payload.toString('latin1').slice(0, 60) }))));
      }),
      { numRuns: 150, endOnFailure: true },
    );
  }, 300_000);

  it('keeps its Host and Origin checks: other names, ports and origins are refused', async () => {
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(421);
    expect((await get('/', { host: `127.0.0.1:${server.port + 1}` })).status).toBe(421);
    expect((await get('/', { host: 'localhost' })).status).toBe(421);
    for (const origin of ['http://evil.example', `http://localhost:${server.port}`, 'null']) {
      await expect(
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}${SOCKET_PATH}`, { origin, headers: { cookie } });
          ws.on('open', () => resolve('open'));
          ws.on('error', reject);
        }),
      ).rejects.toThrow();
    }
    await expectAlive('the refused requests');
  }, 30_000);
});
