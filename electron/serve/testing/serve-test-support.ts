/**
 * Test-only: the CLI built exactly as scripts/build.mjs builds it, into a private temporary
 * directory (so a test file never races others over dist/), with small stand-ins for the
 * renderer next to it where `passthru serve` looks (cli/../renderer); `passthru serve` started
 * from it as its own process on the seed fixture with every directory it may write to under
 * that temporary directory; logging in with the printed token; and raw-socket helpers to talk
 * to it the way a hostile client would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../../scripts/bundles.mjs';
import { SOCKET_PATH } from '#shared/socket-protocol';
import { spawnServe } from './serve-process';

export { makeCertificate } from './certificate';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface RunningServe {
  /** The printed address, token included. */
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves once the output matches (it comes in pieces). */
  printed(pattern: RegExp): Promise<string>;
  stop(): void;
}

export interface BuiltServe {
  /** The built CLI. */
  cli: string;
  /** A directory of its own for one test's files. */
  scratch(): string;
  /** Starts `passthru serve` on the seed fixture (or `--root` given in args) with --port 0 unless args name a port or listen elsewhere. */
  start(args?: string[], env?: Record<string, string>): Promise<RunningServe>;
  dispose(): void;
}

/** The stand-in page: what the server serves is under test here, not the app. */
export const STAND_IN_PAGE = '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body>ok</body></html>\n';

/** Builds the CLI bundle (as scripts/build.mjs does) with stand-ins for the pages it serves. */
export async function buildServe(): Promise<BuiltServe> {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-serve-'));
  const cli = join(dir, 'cli/passthru.cjs');
  await build(bundleOptions('cli', { repoRoot: REPO_ROOT, outfile: cli }));
  mkdirSync(join(dir, 'renderer/assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer/index.html'), STAND_IN_PAGE);
  writeFileSync(join(dir, 'renderer/assets/app.js'), 'console.log(1);\n');
  let runs = 0;
  const children = new Set<ChildProcess>();
  const scratch = () => {
    const run = join(dir, `run-${++runs}`);
    mkdirSync(run, { recursive: true });
    return run;
  };
  return {
    cli,
    scratch,
    async start(args = [], env = {}) {
      const run = scratch();
      const base = [
        ...(args.includes('--root') ? [] : ['--root', join(REPO_ROOT, 'e2e/fixtures/seed')]),
        ...(args.includes('--port') || args.some((a) => a.startsWith('unix:')) ? [] : ['--port', '0']),
        '--state-dir',
        join(run, 'state'),
      ];
      const { url, child, output } = await spawnServe(cli, [...base, ...args], {
        PASSTHRU_CONFIG_DIR: join(run, 'vm-config'),
        PASSTHRU_RUNTIME_DIR: join(run, 'vm-run'),
        PASSTHRU_TEST_POLL_MS: '60000',
        ...env,
      });
      children.add(child);
      const parsed = new URL(url);
      return {
        url,
        port: Number(parsed.port),
        token: parsed.searchParams.get('token') ?? '',
        child,
        output,
        async printed(pattern) {
          for (let i = 0; i < 100 && !pattern.test(output()); i++) await new Promise((r) => setTimeout(r, 50));
          return output();
        },
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        },
      };
    },
    dispose: () => {
      // Whatever a failed test left running goes with the directory it runs from.
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** https (trusting this certificate) instead of http. */
  ca?: Buffer;
  /** A unix socket instead of 127.0.0.1:port. */
  socketPath?: string;
}

/** One HTTP request to 127.0.0.1:port (Host 127.0.0.1:port unless headers say otherwise). */
export function httpGet(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  const send = options.ca ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        ...(options.socketPath ? { socketPath: options.socketPath } : { host: '127.0.0.1', port }),
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
        // Checked as the name the tests connect to, whatever Host header a test sends.
        ...(options.ca ? { ca: options.ca, checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity('127.0.0.1', cert) } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('no answer in 5 s')));
    req.end(options.body);
  });
}

/** Logs in as a browser does (GET /?token=…) and returns the `Cookie` header value to send. */
export async function login(serve: Pick<RunningServe, 'port' | 'token'>, options: RequestOptions = {}): Promise<string> {
  const answer = await httpGet(serve.port, `/?token=${serve.token}`, options);
  if (answer.status !== 303) throw new Error(`login answered ${answer.status}: ${answer.body}`);
  const cookie = answer.headers['set-cookie']?.[0];
  if (!cookie) throw new Error('login set no cookie');
  return cookie.split(';', 1)[0]!;
}

export interface BrowserVisit {
  /** The answer to the printed address: 303 with the session cookie. */
  loginStatus: number;
  setCookie: string[];
  /** The answer to `/` with that cookie. */
  pageStatus: number;
  contentType: string | null;
  html: string;
  /** Fetches a path of the page's (e.g. a script it names) with the session cookie. */
  get(path: string): Promise<Response>;
}

/**
 * Opens the printed address as a browser does, with Node's fetch: the token URL (not following
 * the redirect, to see the cookie), then `/` with the cookie it set.
 */
export async function visitLikeABrowser(url: string): Promise<BrowserVisit> {
  const login = await fetch(url, { redirect: 'manual' });
  const setCookie = login.headers.getSetCookie();
  const cookie = setCookie[0]?.split(';', 1)[0] ?? '';
  const get = (path: string) => fetch(new URL(path, url), { headers: { cookie }, redirect: 'manual' });
  const page = await get('/');
  return { loginStatus: login.status, setCookie, pageStatus: page.status, contentType: page.headers.get('content-type'), html: await page.text(), get };
}

/**
 * Sends raw bytes on a fresh TCP connection and collects what comes back until the server
 * closes the connection or `waitMs` passes without more data.
 */
export function rawExchange(port: number, chunks: Buffer[], waitMs = 150): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(got));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, waitMs);
    };
    socket.on('data', (d) => {
      got.push(d);
      arm();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      arm();
    });
  });
}

/** Opens a WebSocket on SOCKET_PATH by hand (a correct handshake, with the session cookie) and resolves with the socket once upgraded. */
export function rawWebSocket(port: number, cookie: string): Promise<{ socket: Socket; received: () => Buffer; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let isClosed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      isClosed = true;
      if (!upgraded) reject(new Error(`handshake refused: ${buf.toString('latin1').split('\r\n')[0] ?? ''}`));
    });
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`handshake refused: ${head.split('\r\n')[0] ?? ''}`));
          return;
        }
        upgraded = true;
        resolve({ socket, received: () => buf, closed: () => isClosed });
      }
    });
    socket.on('connect', () => {
      socket.write(
        [
          `GET ${SOCKET_PATH} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          `Origin: http://127.0.0.1:${port}`,
          `Cookie: ${cookie}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}

export interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** Claim this length in the header instead of the payload's real one (a lie about the size). */
  claimedLength?: number;
}

/** One WebSocket frame as bytes (RFC 6455 §5.2), possibly malformed on purpose. */
export function encodeFrame(f: FrameSpec): Buffer {
  const length = f.claimedLength ?? f.payload.length;
  const head: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const mask = f.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126) head.push(mask | length);
  else if (length < 65536) {
    head.push(mask | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push(mask | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  }
  if (!f.masked) return Buffer.concat([Buffer.from(head), ext, f.payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(f.payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** The status line of the answer to a WebSocket handshake sent by hand (with these extra header lines). */
export async function upgradeStatus(port: number, headers: string[]): Promise<string> {
  const request = [
    `GET ${SOCKET_PATH} HTTP/1.1`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...headers,
    '',
    '',
  ];
  const reply = await rawExchange(port, [Buffer.from(request.join('\r\n'), 'latin1')]);
  return reply.toString('latin1').split('\r\n', 1)[0] ?? '';
}
