/**
 * Browser half of the test bridge: defines window.passthru with the same createApi() the
 * preload uses, over a WebSocket to the bridge server that served this page.
 */
import { createApi } from '#shared/api';
import type { EventChannel, EventPayloads, IpcResult } from '#shared/ipc-contract';
import type { BridgeMessage } from './protocol';

const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/__bridge`);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true });
  socket.addEventListener('error', () => reject(new Error('The test bridge is not reachable.')), { once: true });
});
const pending = new Map<number, (result: IpcResult<unknown>) => void>();
const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
let nextId = 1;

socket.addEventListener('message', (event) => {
  const message = JSON.parse(String(event.data)) as BridgeMessage;
  if (message.type === 'result') {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  } else if (message.type === 'error') {
    // The bridge could not read a request of ours: its caller gets the error as a result.
    if (message.id !== null) pending.get(message.id)?.({ ok: false, error: message.error });
    if (message.id !== null) pending.delete(message.id);
    else console.error(`test bridge: ${message.error.message}`);
  } else {
    for (const listener of listeners.get(message.event) ?? []) listener(message.payload as never);
  }
});

const api = createApi({
  async invoke(channel, payload) {
    await opened;
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, channel, payload }));
    });
  },
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void) {
    const set = listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    listeners.set(event, set);
    return () => set.delete(listener as (payload: never) => void);
  },
});

Object.defineProperty(window, 'passthru', { value: Object.freeze(api), writable: false });
