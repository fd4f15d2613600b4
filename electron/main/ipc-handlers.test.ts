import { describe, expect, it } from 'vitest';
import { createHandlers, dispatch, type Handlers } from './ipc-handlers';
import { PassthruError } from '../../shared/errors';
import type { HostService } from '../host/service/host-service';
import type { ScanSource } from '../../shared/model';

const source: ScanSource = { kind: 'snapshot', root: '/snap', capturedAt: null, hostname: 'h' };

function fakeService(overrides: Partial<HostService> = {}): HostService {
  return {
    scan: async () => {
      throw new Error('not used');
    },
    source: async () => source,
    openSnapshot: async (path: string) => ({ ...source, root: path }),
    useLive: async () => ({ ...source, kind: 'live', root: '/' }),
    ...overrides,
  } as unknown as HostService;
}

describe('dispatch', () => {
  const handlers: Handlers = createHandlers({ service: fakeService(), pickSnapshotDirectory: async () => '/picked' });

  it('runs the handler and wraps its value', async () => {
    expect(await dispatch(handlers, 'host:source', {})).toEqual({ ok: true, value: source });
  });

  it('refuses unknown channels as data, not as a rejection', async () => {
    const result = await dispatch(handlers, 'host:rm-rf', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('refuses payloads that do not match the channel schema', async () => {
    expect(await dispatch(handlers, 'host:scan', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await dispatch(handlers, 'host:openSnapshot', { path: 42 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await dispatch(handlers, 'host:openSnapshot', { path: '' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('asks the picker when no path is given, and passes a given path through', async () => {
    expect(await dispatch(handlers, 'host:openSnapshot', {})).toEqual({ ok: true, value: { ...source, root: '/picked' } });
    expect(await dispatch(handlers, 'host:openSnapshot', { path: '/x' })).toEqual({ ok: true, value: { ...source, root: '/x' } });
  });

  it('returns null when the user cancels the picker', async () => {
    const cancelled = createHandlers({ service: fakeService(), pickSnapshotDirectory: async () => null });
    expect(await dispatch(cancelled, 'host:openSnapshot', {})).toEqual({ ok: true, value: null });
  });

  it('carries PassthruError code, message and remedy across', async () => {
    const failing = createHandlers({
      service: fakeService({
        openSnapshot: async () => {
          throw new PassthruError('BAD_INPUT', 'Not a snapshot.', 'Pick another folder.');
        },
      }),
      pickSnapshotDirectory: async () => null,
    });
    expect(await dispatch(failing, 'host:openSnapshot', { path: '/nope' })).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: 'Not a snapshot.', remedy: 'Pick another folder.', detail: null },
    });
  });

  it('turns unexpected errors into INTERNAL with a remedy', async () => {
    const result = await dispatch(handlers, 'host:scan', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Unexpected error: not used' } });
    expect(result.ok === false && result.error.remedy).toBeTruthy();
  });
});
