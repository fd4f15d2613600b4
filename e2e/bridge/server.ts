/**
 * Test-only bridge: serves the built renderer over HTTP (on 127.0.0.1 unless --host says
 * otherwise) and implements window.passthru over a WebSocket, dispatching to the same
 * main-side handlers Electron uses (electron/main/ipc-handlers.ts). Lets the GUI specs run in
 * Debian's Chromium where no Electron runtime can be downloaded.
 *
 *   node dist/bridge/server.cjs [--root DIR] [--pick-snapshot DIR] [--port N] [--poll-ms N]
 *                               [--host ADDR] [--state-dir DIR] [--owner UID]
 *                               [--vm-config-dir DIR] [--vm-runtime-dir DIR] [--vm-accel auto|kvm|tcg]
 *
 * `--host 0.0.0.0` is for a lab guest, where the browser on the host reaches the bridge through
 * qemu's hostfwd on the host's 127.0.0.1 (e2e/lab-gui). Whatever it listens on, the bridge only
 * answers requests whose Host header names a loopback address (or the --host address), and
 * only accepts WebSockets whose Origin is exactly that same `http://HOST` — so only a page it
 * served, as the browser addressed it, can call the handlers (no DNS rebinding, no other site).
 *
 * Prints `PASSTHRU_BRIDGE_READY http://HOST:PORT/` once listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { HostService } from '../../electron/host/service/host-service';
import { ChangeServices } from '../../electron/host/service/change-services';
import { VmService } from '../../electron/host/service/vm-service';
import { ChangeService } from '../../electron/host/changes/change-service';
import { createHandlers, dispatch } from '../../electron/main/ipc-handlers';
import type { BridgeMessage, BridgeRequest } from './protocol';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    'pick-snapshot': { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'poll-ms': { type: 'string', default: '1000' },
    'renderer-dir': { type: 'string' },
    'state-dir': { type: 'string' },
    owner: { type: 'string' },
    'vm-config-dir': { type: 'string' },
    'vm-runtime-dir': { type: 'string' },
    'vm-accel': { type: 'string', default: 'auto' },
  },
  strict: true,
});

const rendererDir = resolve(values['renderer-dir'] ?? join(__dirname, '../renderer'));
const service = new HostService({ root: values.root ?? '/', pollIntervalMs: Number(values['poll-ms']) });
// The native folder picker cannot be shown in a browser: tests preset the folder it "returns".
const changes = new ChangeServices(() => service.currentRoot, {
  stateDir: values['state-dir'],
  ownerUid: values.owner === undefined ? undefined : Number(values.owner),
});
const sockets = new Set<WebSocket>();
// VM profiles and runtime files in the test's own directories; NAT NICs reach nothing.
const vmAccel = values['vm-accel'];
if (vmAccel !== 'auto' && vmAccel !== 'kvm' && vmAccel !== 'tcg') throw new Error(`--vm-accel must be auto, kvm or tcg, not ${vmAccel}`);
const vms = new VmService({
  dirs: { configDir: values['vm-config-dir'], runtimeDir: values['vm-runtime-dir'] },
  restrictNat: true,
  accel: vmAccel,
  changes: new ChangeService({ root: '/', stateDir: values['state-dir'] }),
});
const handlers = createHandlers({
  service,
  changes,
  vms,
  pickSnapshotDirectory: async () => values['pick-snapshot'] ?? null,
  emitProgress: (progress) => {
    for (const ws of sockets) send(ws, { type: 'event', event: 'plan:progress', payload: progress });
  },
});

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const listenHost = values.host;
const listensOnLoopbackOnly = LOOPBACK_NAMES.has(listenHost) || listenHost === '::1';

/**
 * The origin (`http://HOST:PORT`) the browser used, from the request's Host header, or null
 * when that Host is not one this bridge answers to. The name must be a loopback address (or
 * the explicit --host address); the port must be ours, except when listening beyond loopback,
 * where a forwarder (qemu's hostfwd) puts the browser on a port of its own.
 */
function originFor(req: IncomingMessage): string | null {
  const host = req.headers.host ?? '';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(host);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const port = Number(m[2]);
  const ownPort = (server.address() as { port: number }).port;
  const nameOk = LOOPBACK_NAMES.has(name) || (!WILDCARDS.has(listenHost) && !listensOnLoopbackOnly && name === listenHost.toLowerCase());
  const portOk = port === ownPort || (!listensOnLoopbackOnly && port > 0 && port < 65536);
  return nameOk && portOk ? `http://${name}:${port}` : null;
}

async function serveFile(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  if (url.pathname === '/__bridge/client.js') {
    res.writeHead(200, { 'content-type': contentTypes['.js']! });
    res.end(await readFile(join(__dirname, 'client.js')));
    return;
  }
  const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).slice(1);
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(rendererDir + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    let body: Buffer | string = await readFile(file);
    if (relative === 'index.html') {
      // Same CSP as the app, plus our own WebSocket origin; the bridge client loads first.
      const ws = origin.replace(/^http/, 'ws');
      body = body
        .toString('utf8')
        .replace("connect-src 'self'", `connect-src 'self' ${ws}`)
        .replace('<head>', '<head>\n    <script src="/__bridge/client.js"></script>');
    }
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}

const server = createServer((req, res) => {
  const origin = originFor(req);
  if (!origin) {
    res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('misdirected request: the test bridge answers only on loopback\n');
    return;
  }
  void serveFile(req, res, origin);
});
const wss = new WebSocketServer({ noServer: true });

server.on('upgrade', (req, socket, head) => {
  const origin = originFor(req);
  // Like the sender check in Electron main: only pages we served may call the handlers — the
  // page's origin must be exactly the (checked) address the browser reached us at.
  if (req.url !== '/__bridge' || !origin || req.headers.origin !== origin) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

function send(ws: WebSocket, message: BridgeMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

wss.on('connection', (ws) => {
  sockets.add(ws);
  const unsubscribe = service.onChanged((reason) => send(ws, { type: 'event', event: 'host:changed', payload: { reason } }));
  ws.on('close', () => {
    sockets.delete(ws);
    unsubscribe();
  });
  ws.on('message', async (data) => {
    let request: BridgeRequest;
    try {
      request = JSON.parse(String(data)) as BridgeRequest;
    } catch {
      return;
    }
    const result = await dispatch(handlers, request.channel, request.payload);
    send(ws, { type: 'result', id: request.id, result });
  });
});

server.listen(Number(values.port), listenHost, () => {
  const { port } = server.address() as { port: number };
  const shown = WILDCARDS.has(listenHost) ? '127.0.0.1' : listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  console.log(`PASSTHRU_BRIDGE_READY http://${shown}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    service.dispose();
    wss.close();
    server.close(() => process.exit(0));
  });
}
