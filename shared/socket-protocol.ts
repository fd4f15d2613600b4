/**
 * The wire format between the page `passthru serve` serves and the server, over one WebSocket
 * on SOCKET_PATH: requests carry an id, results echo it, events carry no id. A message the
 * server cannot read as a request gets an `error` message instead (with the id when one could
 * be read), so a client is told rather than left waiting. The renderer's transport
 * (renderer/src/socket-transport.ts) and the server (electron/serve) both read it from here.
 */
import type { PassthruErrorData } from './errors';
import type { EventChannel, EventPayloads, IpcResult } from './ipc-contract';

/** Where the page opens its WebSocket, on the origin that served it. */
export const SOCKET_PATH = '/socket';

export interface SocketRequest {
  id: number;
  channel: string;
  payload: unknown;
}

export type SocketMessage =
  | { type: 'result'; id: number; result: IpcResult<unknown> }
  | { type: 'event'; event: EventChannel; payload: EventPayloads[EventChannel] }
  | { type: 'error'; id: number | null; error: PassthruErrorData };

/** Largest WebSocket message the server reads (a request is a channel name and a small payload). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Longest channel name accepted (the real ones are under 20 characters). */
const MAX_CHANNEL_LENGTH = 64;

/**
 * A request from one text message, or why it is not one (and its id, when that much was
 * readable). Checks only the envelope; the channel and payload are checked by `dispatch`.
 */
export function parseSocketRequest(text: string): { ok: true; request: SocketRequest } | { ok: false; id: number | null; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, id: null, problem: 'The message is not JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: null, problem: 'The message is not a request object ({id, channel, payload}).' };
  }
  const { id, channel, payload } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { ok: false, id: null, problem: 'The request has no id (a whole number, 0 or more).' };
  }
  if (typeof channel !== 'string' || channel.length === 0 || channel.length > MAX_CHANNEL_LENGTH) {
    return { ok: false, id, problem: 'The request has no channel name.' };
  }
  return { ok: true, request: { id, channel, payload } };
}
