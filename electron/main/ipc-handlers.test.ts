import { describe, expect, it } from 'vitest';
import { createHandlers, dispatch, type HandlerDeps, type Handlers } from './ipc-handlers';
import { PassthruError } from '../../shared/errors';
import { createApi, withRebuiltErrors } from '../../shared/api';
import { invokeChannels, type InvokeChannel } from '../../shared/ipc-contract';
import type { HostService } from '../host/service/host-service';
import type { ScanSource } from '../../shared/model';
import type { ChangeServiceApi } from '../host/changes/change-service.types';
import type { ApplyProgress, Plan } from '../../shared/plan';

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

/** Records what reaches the change service; every call that arrives passed the schema. */
function fakeChanges(calls: unknown[][]): ChangeServiceApi {
  return {
    planAssign: async (request) => (calls.push(['planAssign', request]), { id: 'p1' } as Plan),
    planRelease: async (address) => (calls.push(['planRelease', address]), { id: 'p2' } as Plan),
    planSriov: async (request) => (calls.push(['planSriov', request]), { id: 'p4' } as Plan),
    planVfConfig: async (request) => (calls.push(['planVfConfig', request]), { id: 'p5' } as Plan),
    planIommu: async (request) => (calls.push(['planIommu', request]), { id: 'p6' } as Plan),
    apply: async (planId, options) => {
      calls.push(['apply', planId, options.confirmText]);
      options.onProgress?.({ planId, stepId: 's1', state: 'done', message: null });
      return { planId, ok: true } as never;
    },
    history: async () => ({ entries: [], unreadable: [] }),
    planUndo: async (journalId) => (calls.push(['planUndo', journalId]), { id: 'p3' } as Plan),
  };
}

/** Records what reaches the VM service; every call that arrives passed the schema. */
function fakeVms(calls: unknown[][]): HandlerDeps['vms'] {
  const record =
    (name: string) =>
    async (...args: unknown[]) => (calls.push([name, ...args]), null as never);
  return {
    list: record('list'),
    preview: record('preview'),
    create: record('create'),
    delete: record('delete'),
    createDisk: record('createDisk'),
    start: record('start'),
    status: record('status'),
    pause: record('pause'),
    resume: record('resume'),
    stop: record('stop'),
    log: record('log'),
    export: record('export'),
  };
}

function deps(overrides: Partial<HandlerDeps> = {}): HandlerDeps {
  return {
    service: fakeService(),
    changes: fakeChanges([]),
    vms: fakeVms([]),
    emitProgress: () => undefined,
    pickSnapshotDirectory: async () => '/picked',
    ...overrides,
  };
}

describe('the handlers derived from the contract', () => {
  it('implement every request channel, under the API method the renderer calls it with', () => {
    const methods = (Object.keys(invokeChannels) as InvokeChannel[]).map((c) => invokeChannels[c].method);
    expect(Object.keys(createHandlers(deps())).sort()).toEqual(methods.sort());
  });

  it('answer the renderer API end to end: payload object in, service call with its arguments, errors rebuilt', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(
      deps({
        changes: fakeChanges(calls),
        vms: {
          ...fakeVms(calls),
          start: async (name) => {
            throw new PassthruError('REFUSED', `VM ${name} runs already.`, 'Stop it first.');
          },
        },
      }),
    );
    const api = withRebuiltErrors(createApi({ invoke: (channel, payload) => dispatch(handlers, channel, payload), subscribe: () => () => undefined }));
    expect(await api.planRelease({ address: '0000:01:00.0' })).toEqual({ id: 'p2' });
    expect(await api.planSriov({ address: '0000:01:00.0', numVfs: 2 })).toEqual({ id: 'p4' });
    expect(await api.planUndo()).toEqual({ id: 'p3' });
    expect(calls).toEqual([
      ['planRelease', '0000:01:00.0'],
      ['planSriov', { address: '0000:01:00.0', numVfs: 2 }],
      ['planUndo', undefined],
    ]);
    const refused = await api.vmStart({ name: 'web', paused: true }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PassthruError);
    expect(refused).toMatchObject({ code: 'REFUSED', message: 'VM web runs already.', remedy: 'Stop it first.' });
  });
});

describe('dispatch', () => {
  const handlers: Handlers = createHandlers(deps());

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
    const cancelled = createHandlers(deps({ pickSnapshotDirectory: async () => null }));
    expect(await dispatch(cancelled, 'host:openSnapshot', {})).toEqual({ ok: true, value: null });
  });

  it('carries PassthruError code, message and remedy across', async () => {
    const failing = createHandlers(
      deps({
        service: fakeService({
          openSnapshot: async () => {
            throw new PassthruError('BAD_INPUT', 'Not a snapshot.', 'Pick another folder.');
          },
        }),
      }),
    );
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

describe('change channels', () => {
  it('check SR-IOV requests: counts, VF indexes, MACs, VLANs, unknown settings', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls) }));
    const A = '0000:01:00.0';
    for (const payload of [{ address: A, numVfs: -1 }, { address: A, numVfs: 1.5 }, { address: A, numVfs: '2' }, { address: A }, { address: A, numVfs: 2, extra: true }]) {
      expect(await dispatch(handlers, 'sriov:plan', payload)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    for (const settings of [{ mac: '02:00:00:00:00' }, { mac: '02:00:00:00:00:01;reboot' }, { vlan: 4096 }, { qos: 8 }, { trust: 'on' }, { rate: 100 }]) {
      expect(await dispatch(handlers, 'vf:plan', { address: A, vf: 0, settings })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(calls).toEqual([]);
    expect(await dispatch(handlers, 'sriov:plan', { address: A, numVfs: 2, autoprobe: false })).toEqual({ ok: true, value: { id: 'p4' } });
    expect(await dispatch(handlers, 'vf:plan', { address: A, vf: 1, settings: { mac: '02:11:22:33:44:55', vlan: 100 } })).toEqual({ ok: true, value: { id: 'p5' } });
    expect(calls).toEqual([
      ['planSriov', { address: A, numVfs: 2, autoprobe: false }],
      ['planVfConfig', { address: A, vf: 1, settings: { mac: '02:11:22:33:44:55', vlan: 100 } }],
    ]);
  });

  it('check VM requests: names that could be paths or options, hostile profiles, unknown fields', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ vms: fakeVms(calls) }));
    const profile = {
      name: 'web',
      cpus: 2,
      memoryMiB: 2048,
      firmware: 'seabios',
      machine: 'q35',
      disks: [{ path: '/vms/a,b.qcow2', format: 'qcow2' }],
      iso: null,
      display: 'none',
      nics: [{ kind: 'nat' }],
      createdAt: '2026-11-25T00:00:00Z',
    };
    const bad: [string, unknown][] = [
      ['vm:start', { name: '../etc' }],
      ['vm:start', { name: '-daemonize' }],
      ['vm:stop', { name: 'web', timeoutSeconds: 0 }],
      ['vm:export', { name: 'web', format: 'yaml' }],
      ['vm:create', { profile: { ...profile, name: 'a b' } }],
      ['vm:create', { profile: { ...profile, disks: [{ path: 'relative.qcow2', format: 'qcow2' }] } }],
      ['vm:create', { profile: { ...profile, nics: [{ kind: 'bridge', bridge: 'br0;rm' }] } }],
      ['vm:create', { profile: { ...profile, nics: [{ kind: 'passthrough', address: '01:00.0' }] } }],
      ['vm:create', { profile: { ...profile, nics: [{ kind: 'nat', mac: '01:00:5e:00:00:01' }] } }],
      ['vm:create', { profile: { ...profile, extra: 1 } }],
      ['vm:preview', { profile, argv: ['-x'] }],
    ];
    for (const [channel, payload] of bad)
      expect(await dispatch(handlers, channel, payload), `${channel} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(calls).toEqual([]);
    // A comma in a path is a valid path: qemu gets it escaped, never split.
    expect(await dispatch(handlers, 'vm:create', { profile })).toMatchObject({ ok: true });
    expect(await dispatch(handlers, 'vm:stop', { name: 'web', force: true })).toMatchObject({ ok: true });
    expect(calls).toEqual([
      ['create', profile],
      ['stop', 'web', { force: true, timeoutSeconds: undefined }],
    ]);
  });

  it('check IOMMU requests: the action, booleans, nothing else', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls) }));
    for (const payload of [{}, { action: 'on' }, { action: 'enable', pt: 'yes' }, { action: 'enable', files: [] }, { action: 'disable', digest: 'x' }]) {
      expect(await dispatch(handlers, 'iommu:plan', payload)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(calls).toEqual([]);
    expect(await dispatch(handlers, 'iommu:plan', { action: 'enable', pt: true })).toEqual({ ok: true, value: { id: 'p6' } });
    expect(calls).toEqual([['planIommu', { action: 'enable', pt: true }]]);
  });

  it('refuse malformed addresses before the change service sees them', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls) }));
    for (const address of ['0000:01:00.0/../../etc', '0000:01:20.0', '0000:01:00.8', '01:00.0', '0000:01:00.0\n']) {
      expect(await dispatch(handlers, 'assign:plan', { address })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(await dispatch(handlers, 'plan:apply', { planId: 'p1', steps: [] })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(calls).toEqual([]);
  });

  it('pass plans by id with the confirmation, and forward progress', async () => {
    const calls: unknown[][] = [];
    const progress: ApplyProgress[] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls), emitProgress: (p) => progress.push(p) }));
    expect(await dispatch(handlers, 'assign:plan', { address: '0000:01:00.0', group: true })).toEqual({ ok: true, value: { id: 'p1' } });
    expect(await dispatch(handlers, 'plan:apply', { planId: 'p1', confirmText: 'enp2s0' })).toMatchObject({ ok: true });
    expect(await dispatch(handlers, 'history:planUndo', {})).toMatchObject({ ok: true, value: { id: 'p3' } });
    expect(calls).toEqual([
      ['planAssign', { address: '0000:01:00.0', group: true }],
      ['apply', 'p1', 'enp2s0'],
      ['planUndo', undefined],
    ]);
    expect(progress).toEqual([{ planId: 'p1', stepId: 's1', state: 'done', message: null }]);
  });
});
