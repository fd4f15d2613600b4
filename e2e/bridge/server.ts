/**
 * Test-only bridge: serves the built renderer over HTTP on 127.0.0.1 and implements
 * window.passthru over a WebSocket, dispatching to the same main-side handlers Electron uses
 * (electron/main/ipc-handlers.ts). Lets the GUI specs run in Debian's Chromium where no
 * Electron runtime can be downloaded.
 *
 *   node dist/bridge/server.cjs [--root DIR] [--pick-snapshot DIR] [--port N] [--poll-ms N]
 *
 * Prints `PASSTHRU_BRIDGE_READY http://127.0.0.1:PORT/` once listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { HostService } from '../../electron/host/service/host-service';
import { ChangeServices } from '../../electron/host/service/change-services';
import { createHandlers, dispatch } from '../../electron/main/ipc-handlers';
import type { BridgeMessage, BridgeRequest } from './protocol';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    'pick-snapshot': { type: 'string' },
    port: { type: 'string', default: '0' },
    'poll-ms': { type: 'string', default: '1000' },
    'renderer-dir': { type: 'string' },
    'state-dir': { type: 'string' },
    owner: { type: 'string' },
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
const handlers = createHandlers({
  service,
  changes,
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
  void serveFile(req, res, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
});
const wss = new WebSocketServer({ noServer: true });

server.on('upgrade', (req, socket, head) => {
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // Like the sender check in Electron main: only pages we served may call the handlers.
  if (req.url !== '/__bridge' || req.headers.origin !== origin) {
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

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`PASSTHRU_BRIDGE_READY http://127.0.0.1:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    service.dispose();
    wss.close();
    server.close(() => process.exit(0));
  });
}
