/**
 * The one typed IPC registration point. Raw ipcMain is banned elsewhere by lint. Every
 * request is checked for its sender (our own main frame, loaded from our own file) and its
 * payload (the channel's zod schema, in dispatch) before a handler runs.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { invokeChannels, type EventChannel, type EventPayloads } from '#shared/ipc-contract';
import { PassthruError } from '#shared/errors';
import { dispatch, type Handlers } from './ipc-handlers';

/** GitHub Desktop's trusted-ipc-sender check: only our window's top frame may call. */
function isTrustedSender(event: IpcMainInvokeEvent, isTrustedUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isTrustedUrl(frame.url);
}

export function registerIpcHandlers(handlers: Handlers, isTrustedUrl: (url: string) => boolean): void {
  for (const channel of Object.keys(invokeChannels)) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event, isTrustedUrl)) {
        const refusal = new PassthruError('REFUSED', `Refused ${channel} from a frame that is not Passthru's own window.`, null);
        return { ok: false, error: refusal.toData() };
      }
      return dispatch(handlers, channel, payload);
    });
  }
}

export function sendEvent<E extends EventChannel>(target: WebContents, event: E, payload: EventPayloads[E]): void {
  if (!target.isDestroyed()) target.send(event, payload);
}
