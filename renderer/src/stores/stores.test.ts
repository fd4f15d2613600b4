import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PassthruApi } from '#shared/api';
import type { EventPayloads } from '#shared/ipc-contract';
import { PassthruError } from '#shared/errors';
import type { HostScan } from '#shared/model';
import { sampleAssignPlan, sampleHistory, sampleOkResult, sampleReleasePlan } from '../testing/sample-plans';
import { sampleScan, sampleSnapshotScan } from '../testing/sample-scan';
import { connectHostEvents } from './host-events';
import { createScanStore } from './scan-store';
import { createSourceStore } from './source-store';
import { createUiStore } from './ui-store';

/** A controllable fake of window.passthru: each scan() waits until resolved by the test. */
function fakeApi() {
  const pending: Array<{ resolve: (s: HostScan) => void; reject: (e: unknown) => void }> = [];
  const listeners = new Set<(p: EventPayloads['host:changed']) => void>();
  let source = sampleScan.source;
  const api: PassthruApi = {
    scan: vi.fn(() => new Promise<HostScan>((resolve, reject) => pending.push({ resolve, reject }))),
    source: vi.fn(async () => source),
    openSnapshot: vi.fn(async (request?: { path?: string }) => (request?.path === 'cancel' ? null : (source = sampleSnapshotScan.source))),
    useLiveHost: vi.fn(async () => (source = sampleScan.source)),
    onHostChanged: vi.fn((l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }),
    planChange: vi.fn(async (request: { kind: string }) => (request.kind === 'assign' ? sampleAssignPlan() : sampleReleasePlan())),
    iommuStatus: vi.fn(async () => ({
      findings: [],
      bootloader: { supported: false as const, reason: 'not in this test' },
      wantedArgs: [],
      configured: 'unknown' as const,
      configuredArgs: [],
      enableSummary: '',
    })),
    applyPlan: vi.fn(async () => sampleOkResult(sampleAssignPlan())),
    history: vi.fn(async () => ({ entries: sampleHistory, unreadable: [] })),
    planUndo: vi.fn(async () => sampleReleasePlan()),
    status: vi.fn(async () => ({ changes: 'helper' as const, passwordPrompt: 'desktop' as const, watch: 'events' as const, watchFallback: null, pollIntervalMs: 2000 })),
    onPlanProgress: vi.fn(() => () => undefined),
    onPlanCheck: vi.fn(() => () => undefined),
    vmList: vi.fn(async () => []),
    vmPreview: vi.fn(),
    vmCreate: vi.fn(),
    vmDelete: vi.fn(),
    vmCreateDisk: vi.fn(),
    vmStart: vi.fn(),
    vmStatus: vi.fn(),
    vmPause: vi.fn(),
    vmResume: vi.fn(),
    vmStop: vi.fn(),
    vmLog: vi.fn(),
    vmExport: vi.fn(),
  };
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { api, pending, listeners, flush, emit: (reason: 'devices' | 'source') => listeners.forEach((l) => l({ reason })) };
}

describe('scan store', () => {
  it('goes loading → ready and records the time', async () => {
    const f = fakeApi();
    const store = createScanStore(
      () => f.api,
      () => 1234,
    );
    const done = store.getState().load();
    expect(store.getState().status).toBe('loading');
    expect(store.getState().refreshing).toBe(true);
    f.pending.shift()!.resolve(sampleScan);
    await done;
    expect(store.getState()).toMatchObject({ status: 'ready', scan: sampleScan, loadedAt: 1234, refreshing: false, error: null });
  });

  it('shows the error when there is no data, and keeps old data when a refresh fails', async () => {
    const f = fakeApi();
    const store = createScanStore(() => f.api);
    let p = store.getState().load();
    f.pending.shift()!.reject(new PassthruError('ENVIRONMENT', 'No sysfs.', 'Mount /sys.'));
    await p;
    expect(store.getState().status).toBe('error');
    expect(store.getState().error).toMatchObject({ code: 'ENVIRONMENT', message: 'No sysfs.', remedy: 'Mount /sys.' });

    p = store.getState().load();
    f.pending.shift()!.resolve(sampleScan);
    await p;
    p = store.getState().load();
    f.pending.shift()!.reject(new Error('boom'));
    await p;
    expect(store.getState().status).toBe('ready');
    expect(store.getState().scan).toBe(sampleScan);
    expect(store.getState().error?.message).toBe('boom');
  });

  it('coalesces loads during a fetch into one more fetch', async () => {
    const f = fakeApi();
    const store = createScanStore(() => f.api);
    const first = store.getState().load();
    void store.getState().load();
    void store.getState().load();
    expect(f.api.scan).toHaveBeenCalledTimes(1);
    f.pending.shift()!.resolve(sampleScan);
    await f.flush();
    expect(f.api.scan).toHaveBeenCalledTimes(2);
    f.pending.shift()!.resolve(sampleSnapshotScan);
    await first;
    expect(store.getState().scan).toBe(sampleSnapshotScan);
    expect(f.api.scan).toHaveBeenCalledTimes(2);
  });

  it('drops a result that arrives after reset (the source changed meanwhile)', async () => {
    const f = fakeApi();
    const store = createScanStore(() => f.api);
    const p = store.getState().load();
    store.getState().reset();
    f.pending.shift()!.resolve(sampleScan);
    await f.flush();
    expect(store.getState().scan).toBeNull();
    f.pending.shift()!.resolve(sampleSnapshotScan);
    await p;
    expect(store.getState().scan).toBe(sampleSnapshotScan);
  });

  it('reports a missing bridge as an environment error', async () => {
    const store = createScanStore(() => {
      throw new PassthruError('ENVIRONMENT', 'The connection to the Passthru host service is missing.');
    });
    await store.getState().load();
    expect(store.getState().status).toBe('error');
    expect(store.getState().error?.code).toBe('ENVIRONMENT');
  });
});

describe('source store', () => {
  it('opens a snapshot, clearing the old scan and loading the new one', async () => {
    const f = fakeApi();
    const scans = createScanStore(() => f.api);
    const source = createSourceStore(() => f.api, scans);
    let p = scans.getState().load();
    f.pending.shift()!.resolve(sampleScan);
    await p;

    p = source.getState().openSnapshot();
    await f.flush();
    expect(source.getState().busy).toBe('open');
    expect(scans.getState().scan).toBeNull();
    f.pending.shift()!.resolve(sampleSnapshotScan);
    await p;
    expect(source.getState().source?.kind).toBe('snapshot');
    expect(source.getState().busy).toBeNull();
    expect(scans.getState().scan).toBe(sampleSnapshotScan);

    p = source.getState().backToLive();
    await f.flush();
    f.pending.shift()!.resolve(sampleScan);
    await p;
    expect(f.api.useLiveHost).toHaveBeenCalled();
    expect(source.getState().source?.kind).toBe('live');
  });

  it('clears the pages once per switch: the source event after a switch made here reloads nothing; one made elsewhere clears and reloads', async () => {
    const f = fakeApi();
    const scans = createScanStore(() => f.api);
    const source = createSourceStore(() => f.api, scans);
    let p = scans.getState().load();
    f.pending.shift()!.resolve(sampleScan);
    await p;
    await source.getState().refresh();

    // Main announces the switch while it is still in progress here, and again after.
    p = source.getState().openSnapshot();
    await f.flush();
    await source.getState().sourceChanged();
    f.pending.shift()!.resolve(sampleSnapshotScan);
    await p;
    await source.getState().sourceChanged();
    expect(f.api.scan).toHaveBeenCalledTimes(2);
    expect(scans.getState().scan).toBe(sampleSnapshotScan);

    // The File menu switched back to the live host: cleared and reloaded once.
    await f.api.useLiveHost();
    const changed = source.getState().sourceChanged();
    await f.flush();
    expect(scans.getState().scan).toBeNull();
    f.pending.shift()!.resolve(sampleScan);
    await changed;
    expect(f.api.scan).toHaveBeenCalledTimes(3);
    expect(source.getState().source?.kind).toBe('live');
    expect(scans.getState().scan).toBe(sampleScan);
  });

  it('does nothing when the folder picker is cancelled', async () => {
    const f = fakeApi();
    const scans = createScanStore(() => f.api);
    const source = createSourceStore(() => f.api, scans);
    await source.getState().openSnapshot('cancel');
    expect(f.api.scan).not.toHaveBeenCalled();
    expect(source.getState()).toMatchObject({ busy: null, error: null, source: null });
  });

  it('keeps an error from a failed switch for the user to dismiss', async () => {
    const f = fakeApi();
    f.api.openSnapshot = vi.fn(async () => {
      throw new PassthruError('BAD_INPUT', 'That folder is not a Passthru snapshot.', 'Pick the folder passthru snapshot created.');
    });
    const source = createSourceStore(
      () => f.api,
      createScanStore(() => f.api),
    );
    await source.getState().openSnapshot('/tmp/x');
    expect(source.getState().error).toMatchObject({ code: 'BAD_INPUT', remedy: 'Pick the folder passthru snapshot created.' });
    source.getState().dismissError();
    expect(source.getState().error).toBeNull();
  });
});

describe('host events', () => {
  afterEach(() => vi.useRealTimers());

  it('debounces a burst of device changes into one refresh', () => {
    vi.useFakeTimers();
    const f = fakeApi();
    const onDevicesChanged = vi.fn();
    const onSourceChanged = vi.fn();
    const stop = connectHostEvents(f.api, { onDevicesChanged, onSourceChanged }, 250);
    f.emit('devices');
    vi.advanceTimersByTime(100);
    f.emit('devices');
    f.emit('devices');
    vi.advanceTimersByTime(249);
    expect(onDevicesChanged).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDevicesChanged).toHaveBeenCalledTimes(1);
    expect(onSourceChanged).not.toHaveBeenCalled();
    stop();
    expect(f.listeners.size).toBe(0);
  });

  it('lets a source change in the burst win, and drops pending work on unsubscribe', () => {
    vi.useFakeTimers();
    const f = fakeApi();
    const h = { onDevicesChanged: vi.fn(), onSourceChanged: vi.fn() };
    const stop = connectHostEvents(f.api, h, 250);
    f.emit('devices');
    f.emit('source');
    vi.advanceTimersByTime(250);
    expect(h.onSourceChanged).toHaveBeenCalledTimes(1);
    expect(h.onDevicesChanged).not.toHaveBeenCalled();
    f.emit('devices');
    stop();
    vi.advanceTimersByTime(500);
    expect(h.onDevicesChanged).not.toHaveBeenCalled();
  });
});

describe('ui store', () => {
  it('selects devices, navigates and keeps table state', () => {
    const ui = createUiStore();
    ui.getState().selectDevice('0000:01:00.0', { navigate: true });
    expect(ui.getState()).toMatchObject({ page: 'devices', selectedDevice: '0000:01:00.0' });
    ui.getState().navigate('topology');
    ui.getState().setFilters({ search: 'igb' });
    ui.getState().setFilters({ driver: 'igb' });
    expect(ui.getState().filters).toMatchObject({ search: 'igb', driver: 'igb' });
    ui.getState().clearFilters();
    expect(ui.getState().filters.search).toBe('');
    ui.getState().applyRoute({ page: 'devices', device: null });
    expect(ui.getState().selectedDevice).toBe('0000:01:00.0');
  });
});
