import { beforeEach, describe, expect, it, vi } from 'vitest';

// Only the registration point is under test: a stand-in for ipcMain records the handlers.
const registered = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) => registered.set(channel, fn) },
}));

const { registerIpcHandlers } = await import('./ipc');
const { invokeChannels } = await import('#shared/ipc-contract');
const { createHandlers } = await import('./ipc-handlers');

const appUrl = 'file:///opt/Passthru/resources/app.asar/dist/renderer/index.html';
const isTrustedUrl = (url: string) => url.split('#')[0] === appUrl;
const source = { kind: 'live', root: '/', capturedAt: null, hostname: null };
const mainFrame = { url: `${appUrl}#/devices`, parent: null };

beforeEach(() => {
  registered.clear();
  const service = { source: async () => source } as never;
  const changes = {} as never;
  registerIpcHandlers(
    createHandlers({ service, changes, vms: {} as never, emitProgress: () => undefined, pickSnapshotDirectory: async () => null, passwordPrompt: () => 'desktop' }),
    isTrustedUrl,
  );
});

describe('registerIpcHandlers', () => {
  it('registers every channel of the contract, and nothing else', () => {
    expect([...registered.keys()].sort()).toEqual(Object.keys(invokeChannels).sort());
  });

  it('answers our own top frame', async () => {
    const result = await registered.get('host:source')!({ senderFrame: mainFrame }, {});
    expect(result).toEqual({ ok: true, value: source });
  });

  it('refuses a sub-frame, another page, or a destroyed frame, as data', async () => {
    const call = registered.get('host:source')!;
    for (const senderFrame of [{ url: appUrl, parent: mainFrame }, { url: 'https://example.invalid/', parent: null }, null]) {
      expect(await call({ senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    }
  });

  it('parses the payload with the channel schema before any handler runs', async () => {
    const result = await registered.get('host:openSnapshot')!({ senderFrame: mainFrame }, { path: ['/etc'] });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});
