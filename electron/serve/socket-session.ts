/**
 * One WebSocket of `passthru serve`: requests in, results and events out. Nothing a client sends
 * can throw out of here or stop the process: a message that is not a request gets an error
 * reply, a binary message closes the socket (1003), a protocol error (RSV bits, bad UTF-8, a
 * message over MAX_MESSAGE_BYTES) is ws's to answer with a close, after which the socket is
 * dropped; too many requests at once are answered with an error instead of queued.
 */
import type { WebSocket } from 'ws';
import { PassthruError, toErrorData } from '#shared/errors';
import type { EventChannel, EventPayloads } from '#shared/ipc-contract';
import { parseSocketRequest, type SocketMessage } from '#shared/socket-protocol';
import { dispatch, type CallerContext, type Handlers } from '../main/ipc-handlers';

/** Requests one socket may have running at once (the GUI has a handful at most). */
export const MAX_IN_FLIGHT = 32;

export interface SessionDeps {
  handlers: Handlers;
  /** Subscribes the socket to host changes; returns the unsubscribe. */
  onHostChanged(listener: (reason: EventPayloads['host:changed']['reason']) => void): () => void;
}

export class SocketSession {
  private inFlight = 0;

  /** What the handlers learn of this connection: the host address it came to (null over a unix socket). */
  private readonly caller: CallerContext;

  constructor(
    private readonly ws: WebSocket,
    deps: SessionDeps,
    onClose: () => void,
    localAddress?: string,
  ) {
    const address = localAddress?.replace(/^::ffff:(?=\d+\.)/, '') ?? null;
    this.caller = { sessionAddress: address !== null && /^[0-9A-Fa-f:.]{2,45}$/.test(address) ? address : null };
    const unsubscribe = deps.onHostChanged((reason) => this.event('host:changed', { reason }));
    ws.on('close', () => {
      unsubscribe();
      onClose();
    });
    // Without a listener, ws's 'error' (a bad frame, a message too big) would be an uncaught
    // exception. ws has already sent its close frame; the socket goes now.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'text messages only');
        return;
      }
      void this.handle(String(data), deps.handlers);
    });
  }

  event<E extends EventChannel>(event: E, payload: EventPayloads[E]): void {
    this.send({ type: 'event', event, payload });
  }

  private async handle(text: string, handlers: Handlers): Promise<void> {
    const parsed = parseSocketRequest(text);
    if (!parsed.ok) {
      this.send({ type: 'error', id: parsed.id, error: toErrorData(new PassthruError('BAD_INPUT', parsed.problem, 'Send {"id": N, "channel": "…", "payload": {…}}.')) });
      return;
    }
    const { id, channel, payload } = parsed.request;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.send({
        type: 'error',
        id,
        error: toErrorData(new PassthruError('REFUSED', `More than ${MAX_IN_FLIGHT} requests at once on one connection.`, 'Wait for answers before sending more.')),
      });
      return;
    }
    this.inFlight++;
    try {
      // dispatch turns every error of the handlers into data; the catch is for the unforeseen.
      const result = await dispatch(handlers, channel, payload, this.caller).catch((err: unknown) => ({ ok: false as const, error: toErrorData(err) }));
      this.send({ type: 'result', id, result });
    } finally {
      this.inFlight--;
    }
  }

  private send(message: SocketMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      const id = message.type === 'event' ? null : message.id;
      text = JSON.stringify({ type: 'error', id, error: toErrorData(err) } satisfies SocketMessage);
    }
    this.ws.send(text);
  }
}
