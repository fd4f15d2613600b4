/**
 * The server of `passthru serve`: HTTP(S) for the renderer's files and a WebSocket on
 * SOCKET_PATH for the handlers, behind four gates — the Host check (origin.ts: no DNS
 * rebinding), GET and HEAD only (no state-changing HTTP at all: every change goes over the
 * authenticated WebSocket), the session cookie got with the printed token (access.ts), and on
 * the WebSocket the exact Origin. Request handling is made to survive anything a client
 * sends: every HTTP request ends in an answer or a closed connection, malformed HTTP is
 * answered 400/431 by the parser's error hook, sizes are capped (headers, request target,
 * WebSocket messages), sockets have error listeners from the first moment, and nothing a
 * request does can end the process.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { PassthruError } from '#shared/errors';
import type { EventChannel, EventPayloads } from '#shared/ipc-contract';
import { MAX_MESSAGE_BYTES, SOCKET_PATH } from '#shared/socket-protocol';
import type { AccessGate } from './access';
import type { ListenAddress } from './listen-address';
import { hostRules, originFor } from './origin';
import { SocketSession, type SessionDeps } from './socket-session';
import { MAX_URL_LENGTH, plainAnswer, requestPath, serveStatic, SECURITY_HEADERS } from './static-files';

export interface ServeServerOptions extends SessionDeps {
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  address: ListenAddress;
  /** PEM certificate and key: HTTPS and WSS instead of HTTP and WS. */
  tls?: { cert: Buffer; key: Buffer };
  gate: AccessGate;
  /** Names the Host header may carry besides loopback and the listen address, when listening beyond loopback. */
  extraNames?: readonly string[];
}

export interface ServeServer {
  server: Server;
  /** The port it listens on (null on a unix socket, or before listening). */
  port(): number | null;
  /** Sends an event to every open socket. */
  broadcast<E extends EventChannel>(event: E, payload: EventPayloads[E]): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** What a browser without the session cookie is told: the one way in. */
export const NOT_LOGGED_IN = 'Open the address `passthru serve` printed, with its token.';

/** Header bytes accepted per request (Node's default, stated so it cannot drift). */
const MAX_HEADER_BYTES = 16 * 1024;

export function createServeServer(options: ServeServerOptions): ServeServer {
  const sessions = new Set<SocketSession>();
  const { gate } = options;
  const port = () => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : null;
  };
  const rules = hostRules(options.address, { tls: options.tls !== undefined, ownPort: () => port() ?? -1, extraNames: options.extraNames });
  const origin = (req: IncomingMessage) => originFor(req.headers.host, rules);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!origin(req)) {
      plainAnswer(res, 421, 'Misdirected request: this server answers only to the names it listens on.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plainAnswer(res, 405, 'Method not allowed: Passthru serves pages only, and takes changes over its WebSocket.', { allow: 'GET, HEAD' });
      return;
    }
    const target = req.url ?? '';
    if (target.length > MAX_URL_LENGTH) {
      plainAnswer(res, 414, 'Request target too long.');
      return;
    }
    const token = tokenOf(target);
    if (token !== null) {
      login(res, target, token);
      return;
    }
    if (!gate.admits(req.headers.cookie)) {
      plainAnswer(res, 401, NOT_LOGGED_IN);
      return;
    }
    await serveStatic(req, res, options.rendererDir);
  };

  const login = (res: ServerResponse, target: string, token: string): void => {
    const location = withoutToken(target);
    if (location === null) {
      plainAnswer(res, 400, 'Bad request target: not a path, or not valid percent-encoding.');
      return;
    }
    const result = gate.login(token);
    if (result.kind === 'wait') {
      plainAnswer(res, 429, `Too many wrong tokens: try again in ${result.seconds} s.`, { 'retry-after': String(result.seconds) });
    } else if (result.kind === 'wrong') {
      plainAnswer(res, 401, `Wrong token. ${NOT_LOGGED_IN}`);
    } else {
      // The token leaves the address bar (and the history) at once; the cookie stands for it.
      plainAnswer(res, 303, 'Logged in.', { location, 'set-cookie': result.setCookie });
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      // Not reachable by design (every case is answered); if it is, this request fails alone.
      if (!res.headersSent) plainAnswer(res, 500, 'Internal error.');
      else res.destroy();
    });
  };
  const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 10_000, requestTimeout: 30_000 };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createHttpServer(serverOptions, onRequest);

  // Malformed HTTP (bad request line, header overflow, bad chunking): answer and hang up.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && !(err.code === 'ECONNRESET')) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws takes the socket over, a reset by the client must not be an uncaught error.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string, text: string) => {
      const body = `${text}\n`;
      const headers = Object.entries({ ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
    };
    const from = origin(req);
    if (!from) return refuse('421 Misdirected Request', 'Misdirected request: this server answers only to the names it listens on.');
    if (req.url !== SOCKET_PATH) return refuse('404 Not Found', 'Not found.');
    // Like the sender check in Electron main: only pages we served may call the handlers — the
    // page's origin must be exactly the (checked) address the browser reached us at.
    if (req.headers.origin !== from) return refuse('403 Forbidden', 'Forbidden: the page is not one this server served.');
    if (!gate.admits(req.headers.cookie)) return refuse('401 Unauthorized', NOT_LOGGED_IN);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SocketSession(ws, options, () => sessions.delete(session), req.socket.localAddress);
      sessions.add(session);
    });
  });
  // The server object's own error (ws reports handshake problems here too) is never fatal.
  wss.on('error', () => undefined);

  return {
    server,
    port,
    broadcast(event, payload) {
      for (const s of sessions) s.event(event, payload);
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The `token` query parameter of a request target, or null when it has none. */
function tokenOf(target: string): string | null {
  const query = target.split('#', 1)[0]!.split('?').slice(1).join('?');
  return query === '' ? null : new URLSearchParams(query).get('token');
}

/** The same target without its token (where a login sends the browser), or null when it is no path of ours. */
function withoutToken(target: string): string | null {
  if (requestPath(target) === null) return null;
  const [path = '/', ...rest] = target.split('#', 1)[0]!.split('?');
  const params = new URLSearchParams(rest.join('?'));
  params.delete('token');
  const query = params.toString();
  // Only printable ASCII goes back in a header; anything else as the bytes it came as.
  const safe = path.replace(/[^\x21-\x7e]/g, (c) => (c.charCodeAt(0) <= 0xff ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c)));
  return query === '' ? safe : `${safe}?${query}`;
}

/**
 * Listens on the address; on a unix socket, makes the socket 0600 from the start (the umask
 * covers the moment between bind and chmod) and takes over a stale socket file that nothing
 * answers on. Errors are PassthruErrors in words: the port taken, no permission.
 */
export async function listen(serve: ServeServer, address: ListenAddress, port: number): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(err);
      serve.server.once('error', onError);
      const done = () => {
        serve.server.off('error', onError);
        resolve();
      };
      if (address.kind === 'tcp') {
        serve.server.listen(port, address.host, done);
        return;
      }
      const umask = process.umask(0o177);
      try {
        serve.server.listen(address.path, done);
      } finally {
        process.umask(umask);
      }
    });
  try {
    await attempt();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (address.kind === 'unix' && code === 'EADDRINUSE' && (await isStaleSocket(address.path))) {
      unlinkSync(address.path);
      await attempt().catch((again: unknown) => {
        throw listenError(again, address, port);
      });
    } else {
      throw listenError(err, address, port);
    }
  }
  if (address.kind === 'unix') chmodSync(address.path, 0o600);
}

/** A socket file nobody answers on (left by a server that was killed). */
function isStaleSocket(path: string): Promise<boolean> {
  try {
    if (!lstatSync(path).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function listenError(err: unknown, address: ListenAddress, port: number): PassthruError {
  const code = (err as NodeJS.ErrnoException).code;
  const where = address.kind === 'unix' ? address.path : `${address.host} port ${port}`;
  if (code === 'EADDRINUSE') {
    return new PassthruError(
      'ENVIRONMENT',
      `${where} is already in use.`,
      address.kind === 'unix' ? 'Stop what listens there, or give another unix:PATH.' : 'Stop what listens there, or give another --port (0 picks a free one).',
    );
  }
  if (code === 'EACCES') return new PassthruError('ENVIRONMENT', `Not allowed to listen on ${where}.`, 'Choose a port from 1024 up, or a path you may write to.');
  if (code === 'EADDRNOTAVAIL')
    return new PassthruError(
      'ENVIRONMENT',
      `${address.kind === 'tcp' ? address.host : where} is not an address of this machine.`,
      'Give one of its addresses (ip address lists them).',
    );
  if (code === 'ENOENT' || code === 'ENOTDIR') return new PassthruError('ENVIRONMENT', `The directory of ${where} does not exist.`, 'Create it, or give another unix:PATH.');
  return new PassthruError('ENVIRONMENT', `Cannot listen on ${where}: ${(err as Error).message}.`, 'Check the address and try again.');
}
