/**
 * The browser's transport over a fake WebSocket: requests matched to results by id, events to
 * their subscribers, error messages to the request they name, and a socket that closes or
 * never opens answered with an error that says what to do — never a request left waiting.
 */
import { describe, expect, it } from 'vitest';
import { createApi } from '#shared/api';
import type { SocketMessage } from '#shared/socket-protocol';
import { createSocketTransport, socketUrl, type SocketLike } from './socket-transport';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: { id: number; channel: string; payload: unknown }[] = [];
  private readonly handlers = new Map<string, ((event: { data: unknown }) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
  }
  close(): void {
    this.fire('close');
  }
  fire(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const h of this.handlers.get(type) ?? []) h({ data });
  }
  receive(message: SocketMessage | string): void {
    this.fire('message', typeof message === 'string' ? message : JSON.stringify(message));
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const transport = createSocketTransport('ws://127.0.0.1:8417/socket', (url) => {
    const s = new FakeSocket(url);
    sockets.push(s);
    return s;
  });
  return { transport, sockets, flush: () => new Promise((r) => setTimeout(r, 0)) };
}

describe('socket transport', () => {
  it('opens the socket on the origin that served the page', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8417' })).toBe('ws://127.0.0.1:8417/socket');
    expect(socketUrl({ protocol: 'https:', host: 'myhost:8417' })).toBe('wss://myhost:8417/socket');
  });

  it('sends requests once open and answers each by its id, whatever the order; events go to their subscribers', async () => {
    const { transport, sockets, flush } = setup();
    const api = createApi(transport);
    const scan = api.source();
    const history = api.history();
    const seen: unknown[] = [];
    api.onHostChanged((p) => seen.push(p));
    expect(sockets).toHaveLength(1);
    sockets[0]!.fire('open');
    await flush();
    expect(sockets[0]!.sent.map((m) => m.channel)).toEqual(['host:source', 'history:list']);
    const [first, second] = sockets[0]!.sent;
    sockets[0]!.receive('not json');
    sockets[0]!.receive({ type: 'result', id: second!.id, result: { ok: true, value: 'history' } });
    sockets[0]!.receive({ type: 'error', id: first!.id, error: { code: 'BAD_INPUT', message: 'The message is not JSON.', remedy: null } });
    sockets[0]!.receive({ type: 'event', event: 'host:changed', payload: { reason: 'devices' } });
    expect(await history).toBe('history');
    await expect(scan).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(seen).toEqual([{ reason: 'devices' }]);
  });

  it('answers the waiting requests when the socket closes, and opens a new one for the next request', async () => {
    const { transport, sockets, flush } = setup();
    const pending = transport.invoke('host:source', {});
    sockets[0]!.fire('open');
    await flush();
    sockets[0]!.fire('close');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'ENVIRONMENT', message: 'The connection to `passthru serve` was lost.' } });
    const next = transport.invoke('host:source', {});
    expect(sockets).toHaveLength(2);
    sockets[1]!.fire('open');
    await flush();
    sockets[1]!.receive({ type: 'result', id: sockets[1]!.sent[0]!.id, result: { ok: true, value: 1 } });
    expect(await next).toEqual({ ok: true, value: 1 });
  });

  it('a socket that never opens (no session cookie, server gone) is an error saying to open the printed address', async () => {
    const { transport, sockets } = setup();
    const pending = transport.invoke('host:source', {});
    sockets[0]!.fire('error');
    sockets[0]!.fire('close');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'ENVIRONMENT', remedy: expect.stringContaining('Open the address `passthru serve` printed') as unknown } });
  });
});
