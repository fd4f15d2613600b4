/**
 * Test-only: the test bridge built exactly as scripts/build.mjs builds it, into a private
 * temporary directory (so a test file never races others over dist/), started as its own
 * process on the seed fixture with every directory it may write to under that temporary
 * directory; and raw-socket helpers to talk to it the way a hostile client would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundles.mjs';
import { spawnBridge } from '../support/bridge-process';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningBridge {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed on stderr so far. */
  stderr(): string;
  stop(): void;
}

export interface BuiltBridge {
  /** Starts a fresh bridge process on the seed fixture. */
  start(): Promise<RunningBridge>;
  dispose(): void;
}

/** Builds the bridge bundle (as scripts/build.mjs does) with stand-ins for the page it serves. */
export async function buildTestBridge(): Promise<BuiltBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-bridge-'));
  const server = join(dir, 'bridge/server.cjs');
  await build(bundleOptions('bridge', { repoRoot: REPO_ROOT, outfile: server }));
  // The page and the browser half are not under test here: small stand-ins do.
  writeFileSync(join(dir, 'bridge/client.js'), '/* test stand-in */\n');
  mkdirSync(join(dir, 'renderer/assets'), { recursive: true });
  writeFileSync(
    join(dir, 'renderer/index.html'),
    '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="connect-src \'self\'"></head><body>ok</body></html>\n',
  );
  writeFileSync(join(dir, 'renderer/assets/app.js'), 'console.log(1);\n');
  let runs = 0;
  return {
    async start() {
      const run = join(dir, `run-${++runs}`);
      const args = [
        '--root',
        join(REPO_ROOT, 'e2e/fixtures/seed'),
        '--renderer-dir',
        join(dir, 'renderer'),
        '--state-dir',
        join(run, 'state'),
        '--vm-config-dir',
        join(run, 'vm-config'),
        '--vm-runtime-dir',
        join(run, 'vm-run'),
        '--poll-ms',
        '60000',
      ];
      const { url, child } = await spawnBridge(server, args);
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += String(d)));
      return {
        url,
        port: Number(new URL(url).port),
        child,
        stderr: () => stderr,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        },
      };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
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

/** Opens a WebSocket on /__bridge by hand (a correct handshake) and resolves with the socket once upgraded. */
export function rawWebSocket(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: () => boolean }> {
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
          'GET /__bridge HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          `Origin: http://127.0.0.1:${port}`,
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
