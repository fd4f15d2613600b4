/**
 * Exposes exactly one object, window.passthru, built from the shared contract: never raw
 * ipcRenderer (as Electron Fiddle's preload). Only known event channels can be subscribed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createApi } from '#shared/api';
import { isEventChannel, type EventChannel, type EventPayloads, type IpcResult } from '#shared/ipc-contract';

const api = createApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void) {
    if (!isEventChannel(event)) throw new Error(`Unknown event ${event}`);
    const wrapped = (_e: IpcRendererEvent, payload: EventPayloads[E]) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('passthru', api);
