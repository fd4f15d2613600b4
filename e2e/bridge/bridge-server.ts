/**
 * The bridge's server: HTTP for the renderer's files, a WebSocket on /__bridge for the
 * handlers, both behind the Host/Origin checks (origin.ts). Request handling is made to
 * survive anything a client sends: every HTTP request ends in an answer or a closed
 * connection, malformed HTTP is answered 400/431 by the parser's error hook, sizes are capped
 * (headers, request target, WebSocket messages), sockets have error listeners from the first
 * moment, and nothing a request does can end the process.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventChannel, EventPayloads } from '#shared/ipc-contract';
import { originFor } from './origin';
import { MAX_MESSAGE_BYTES } from './protocol';
import { SocketSession, type SessionDeps } from './socket-session';
import { plainAnswer, serveStatic, type StaticSite } from './static-files';

export interface BridgeServerOptions extends SessionDeps {
  site: StaticSite;
  /** The address it listens on (--host); decides which Host headers are answered. */
  listenHost: string;
}

export interface BridgeServer {
  server: Server;
  /** Sends an event to every open socket. */
  broadcast<E extends EventChannel>(event: E, payload: EventPayloads[E]): void;
  close(done: () => void): void;
}

/** Header bytes accepted per request (Node's default, stated so it cannot drift). */
const MAX_HEADER_BYTES = 16 * 1024;

export function createBridgeServer(options: BridgeServerOptions): BridgeServer {
  const sessions = new Set<SocketSession>();
  const ownPort = () => (server.address() as { port: number } | null)?.port ?? -1;
  const origin = (req: IncomingMessage) => originFor(req.headers.host, ownPort(), options.listenHost);

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const from = origin(req);
    if (!from) {
      plainAnswer(res, 421, 'misdirected request: the test bridge answers only on loopback');
      return;
    }
    serveStatic(req, res, from, options.site).catch(() => {
      // Not reachable by design (serveStatic answers every case); if it is, this request fails alone.
      if (!res.headersSent) plainAnswer(res, 500, 'internal error');
      else res.destroy();
    });
  });

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
    const from = origin(req);
    // Like the sender check in Electron main: only pages we served may call the handlers — the
    // page's origin must be exactly the (checked) address the browser reached us at.
    if (req.url !== '/__bridge' || !from || req.headers.origin !== from) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SocketSession(ws, options, () => sessions.delete(session));
      sessions.add(session);
    });
  });
  // The server object's own error (ws reports handshake problems here too) is never fatal.
  wss.on('error', () => undefined);

  return {
    server,
    broadcast(event, payload) {
      for (const s of sessions) s.event(event, payload);
    },
    close(done) {
      wss.close();
      server.close(() => done());
    },
  };
}
