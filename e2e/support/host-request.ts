/**
 * Sends one request to the host service the way any script in the page could, bypassing the
 * app's UI: in Electron through `window.passthru` (the preload's API), in a browser over a
 * WebSocket of its own to `passthru serve` (the page's origin, with the session cookie the
 * browser holds). For specs that check that main refuses what a renderer might send, and for
 * clean-ups (stopping a VM whatever the UI shows).
 */
import type { Page } from '@playwright/test';
import { invokeChannels, type InvokeChannel, type IpcResult } from '#shared/ipc-contract';
import type { PassthruErrorData } from '#shared/errors';
import { SOCKET_PATH } from '#shared/socket-protocol';

export function hostRequest(page: Page, channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>> {
  const method = invokeChannels[channel].method;
  return page.evaluate(
    async ([channel, method, payload, socketPath]) => {
      const api = (globalThis as unknown as { passthru?: Record<string, (p: unknown) => Promise<unknown>> }).passthru;
      if (api) {
        return api[method]!(payload).then(
          (value) => ({ ok: true as const, value }),
          (error: PassthruErrorData) => ({ ok: false as const, error: { code: error.code, message: error.message, remedy: error.remedy } }),
        );
      }
      const { protocol, host } = (globalThis as unknown as { location: { protocol: string; host: string } }).location;
      const ws = new WebSocket(`${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${socketPath}`);
      return new Promise<IpcResult<unknown>>((resolve, reject) => {
        ws.addEventListener('error', () => reject(new Error('the WebSocket to passthru serve did not open')));
        ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, channel, payload })));
        ws.addEventListener('message', (event) => {
          const message = JSON.parse(String(event.data)) as { type: string; id?: number; result?: IpcResult<unknown> };
          if (message.type !== 'result' || message.id !== 1) return;
          ws.close();
          resolve(message.result!);
        });
      });
    },
    [channel, method, payload, SOCKET_PATH] as const,
  );
}
