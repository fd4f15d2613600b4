/**
 * The transport of the page in a browser (`passthru serve`): requests and events over one
 * WebSocket to the origin that served the page (shared/socket-protocol.ts), the same Transport
 * the preload builds over ipcRenderer, so createApi gives the very same API. The session cookie
 * the server set goes with the WebSocket's handshake by itself. The socket opens on the first
 * request; when it closes (the server stopped, the network dropped), the requests waiting are
 * answered with an error that says so, and the next request opens a new one.
 */
import type { Transport } from '#shared/api';
import type { PassthruErrorData } from '#shared/errors';
import type { EventChannel, EventPayloads, IpcResult } from '#shared/ipc-contract';
import { SOCKET_PATH, type SocketMessage } from '#shared/socket-protocol';

/** The part of the browser's WebSocket this transport uses (tests give a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

const lost: PassthruErrorData = {
  code: 'ENVIRONMENT',
  message: 'The connection to `passthru serve` was lost.',
  remedy: 'Check that `passthru serve` is still running on the host, then reload the page (after a restart, open the new address it printed).',
};
const refused: PassthruErrorData = {
  code: 'ENVIRONMENT',
  message: 'The page could not connect to `passthru serve`.',
  remedy: 'Open the address `passthru serve` printed, with its token (it changes on every start).',
};

/** The WebSocket address of the server that served a page at `location`. */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${SOCKET_PATH}`;
}

/** A socket transport can be closed (a connection opened for one errand, see api.ts withFreshConnection). */
export interface SocketTransport extends Transport {
  close(): void;
}

export function createSocketTransport(url: string, open: SocketFactory): SocketTransport {
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  let nextId = 1;
  let current: { socket: SocketLike; ready: Promise<boolean> } | null = null;

  const failAll = (error: PassthruErrorData) => {
    for (const answer of pending.values()) answer({ ok: false, error });
    pending.clear();
  };

  const onMessage = (data: unknown) => {
    let message: SocketMessage;
    try {
      message = JSON.parse(String(data)) as SocketMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else if (message.type === 'error') {
      // The server could not read a request of ours: its caller gets the error as a result.
      if (message.id === null) console.error(`passthru serve: ${message.error.message}`);
      else {
        pending.get(message.id)?.({ ok: false, error: message.error });
        pending.delete(message.id);
      }
    } else if (message.type === 'event') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload as never);
    }
  };

  const connect = () => {
    const socket = open(url);
    let opened = false;
    const ready = new Promise<boolean>((resolve) => {
      socket.addEventListener('open', () => {
        opened = true;
        resolve(true);
      });
      socket.addEventListener('close', () => {
        resolve(false);
        if (current?.socket === socket) current = null;
        failAll(opened ? lost : refused);
      });
    });
    socket.addEventListener('message', (event) => onMessage(event.data));
    current = { socket, ready };
    return current;
  };

  return {
    async invoke(channel, payload) {
      const connection = current ?? connect();
      if (!(await connection.ready)) return { ok: false, error: refused };
      if (connection.socket.readyState !== OPEN) return { ok: false, error: lost };
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        connection.socket.send(JSON.stringify({ id, channel, payload }));
      });
    },
    subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      // Events come only over an open socket: subscribing opens it, as the app does at start.
      if (!current) connect();
      return () => set.delete(listener as (payload: never) => void);
    },
    close() {
      current?.socket.close();
      current = null;
    },
  };
}
