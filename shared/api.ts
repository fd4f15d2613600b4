/**
 * The narrow domain API the renderer sees as `window.passthru`. Built from a transport so
 * the preload (ipcRenderer) and the test bridge (WebSocket) expose exactly the same object.
 */
import type { EventChannel, EventPayloads, InvokeChannel, InvokeRequest, InvokeResult, IpcResult } from './ipc-contract';
import { PassthruError } from './errors';
import type { HostScan, ScanSource } from './model';

export interface Transport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>>;
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export interface PassthruApi {
  scan(): Promise<HostScan>;
  source(): Promise<ScanSource>;
  /** Opens a snapshot directory (asks with a folder picker when no path is given). */
  openSnapshot(path?: string): Promise<ScanSource | null>;
  useLiveHost(): Promise<ScanSource>;
  onHostChanged(listener: (payload: EventPayloads['host:changed']) => void): () => void;
}

export function createApi(transport: Transport): PassthruApi {
  async function call<C extends InvokeChannel>(channel: C, payload: InvokeRequest<C>): Promise<InvokeResult<C>> {
    const result = await transport.invoke(channel, payload);
    if (!result.ok) throw PassthruError.fromData(result.error);
    return result.value as InvokeResult<C>;
  }
  return {
    scan: () => call('host:scan', {}),
    source: () => call('host:source', {}),
    openSnapshot: (path) => call('host:openSnapshot', path === undefined ? {} : { path }),
    useLiveHost: () => call('host:useLive', {}),
    onHostChanged: (listener) => transport.subscribe('host:changed', listener),
  };
}
