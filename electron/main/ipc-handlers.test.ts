import { describe, expect, it } from 'vitest';
import { createHandlers, dispatch, type HandlerDeps, type Handlers } from './ipc-handlers';
import { PassthruError } from '#shared/errors';
import { createApi, withRebuiltErrors } from '#shared/api';
import { invokeChannels, type InvokeChannel } from '#shared/ipc-contract';
import type { HostService } from '../host/service/host-service';
import type { ScanSource } from '#shared/model';
import { ChangeService } from '../host/changes/change-service';
import type { ChangeServiceApi } from '../host/changes/change-service.types';
import { makeTempRoot } from '../host/testing/fake-sysfs';

const fixture = (name: string): string => `${__dirname}/../../e2e/fixtures/${name}`;
import type { ApplyProgress, Plan } from '#shared/plan';

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
    planChange: async (request) => (calls.push(['planChange', request]), { id: 'p1' } as Plan),
    apply: async (planId, options) => {
      calls.push(['apply', planId, options.confirmText]);
      options.onProgress?.({ planId, stepId: 's1', state: 'done', message: null });
      return { planId, ok: true } as never;
    },
    history: async () => ({ entries: [], unreadable: [] }),
    planUndo: async (journalId) => (calls.push(['planUndo', journalId]), { id: 'p3' } as Plan),
    route: () => 'helper',
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
    passwordPrompt: () => 'terminal',
    ...overrides,
  };
}

describe('the status for the header', () => {
  it('puts together the road of a change, where the password is asked, and how changes are noticed', async () => {
    const handlers = createHandlers(
      deps({
        service: fakeService({ watchMode: 'polling', watchFallback: '`ip monitor link address route` ended.', pollIntervalMs: 1500 } as Partial<HostService>),
        passwordPrompt: () => 'terminal',
      }),
    );
    expect(await dispatch(handlers, 'app:status', {})).toEqual({
      ok: true,
      value: { changes: 'helper', passwordPrompt: 'terminal', watch: 'polling', watchFallback: '`ip monitor link address route` ended.', pollIntervalMs: 1500 },
    });
  });
});

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
    expect(await api.planChange({ kind: 'release', address: '0000:01:00.0' })).toEqual({ id: 'p1' });
    expect(await api.planChange({ kind: 'sriov', address: '0000:01:00.0', numVfs: 2 })).toEqual({ id: 'p1' });
    expect(await api.planUndo()).toEqual({ id: 'p3' });
    expect(calls).toEqual([
      ['planChange', { kind: 'release', address: '0000:01:00.0' }],
      ['planChange', { kind: 'sriov', address: '0000:01:00.0', numVfs: 2 }],
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

/** A real ChangeService on the seed fixture (a tree of files): what a request becomes, or why it is refused. */
function realChanges(): ChangeService {
  return new ChangeService({ root: fixture('seed'), stateDir: makeTempRoot('passthru-ipc-journal-') });
}

describe('change:plan', () => {
  it('refuses a request without a kind, or with one that is not a word, before any service sees it', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls) }));
    for (const payload of [{}, { address: '0000:01:00.0' }, { kind: 3 }, { kind: '../assign' }, { kind: 'Assign' }, { kind: '' }, null, []]) {
      expect(await dispatch(handlers, 'change:plan', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(calls).toEqual([]);
  });

  it("checks each kind's request strictly on the host side: unknown kinds, fields, counts, MACs, VLANs, actions, addresses", async () => {
    const handlers = createHandlers(deps({ changes: realChanges() }));
    const A = '0000:01:00.0';
    const bad: unknown[] = [
      { kind: 'reboot' },
      { kind: 'assign', address: A, steps: [] },
      { kind: 'assign', address: '0000:01:00.0/../../etc' },
      { kind: 'assign', address: '0000:01:00.0\n' },
      { kind: 'assign', address: A, ownerUid: 0 },
      { kind: 'sriov', address: A, numVfs: -1 },
      { kind: 'sriov', address: A, numVfs: 1.5 },
      { kind: 'sriov', address: A, numVfs: '2' },
      { kind: 'sriov', address: A },
      { kind: 'sriov', address: A, numVfs: 2, extra: true },
      ...[{ mac: '02:00:00:00:00' }, { mac: '02:00:00:00:00:01;reboot' }, { vlan: 4096 }, { qos: 8 }, { trust: 'on' }, { rate: 100 }].map((settings) => ({
        kind: 'vf-config',
        address: A,
        vf: 0,
        settings,
      })),
      { kind: 'iommu' },
      { kind: 'iommu', action: 'on' },
      { kind: 'iommu', action: 'enable', pt: 'yes' },
      { kind: 'iommu', action: 'enable', files: [] },
      { kind: 'iommu', action: 'disable', digest: 'x' },
      { kind: 'undo', journalId: '../../etc/passwd' },
    ];
    for (const payload of bad) {
      expect(await dispatch(handlers, 'change:plan', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
  });

  it('plans each kind a caller may ask for, and fills in what only main knows (who gets /dev/vfio)', async () => {
    const changes = new ChangeService({ root: fixture('seed'), stateDir: makeTempRoot('passthru-ipc-journal-'), ownerUid: 4242 });
    const handlers = createHandlers(deps({ changes }));
    const plan = async (payload: object): Promise<Plan> => {
      const r = await dispatch(handlers, 'change:plan', payload);
      if (!r.ok) throw new Error(`${JSON.stringify(payload)}: ${r.error.message}`);
      return r.value as Plan;
    };
    const assign = await plan({ kind: 'assign', address: '01:00.0', group: false });
    expect(assign).toMatchObject({ kind: 'assign', target: '0000:01:00.0', detail: { kind: 'assign', ownerUid: 4242 } });
    expect(assign.steps.find((s) => s.op.verb === 'set-vfio-owner')?.op).toMatchObject({ uid: 4242 });
    expect((await plan({ kind: 'sriov', address: '0000:01:00.0', numVfs: 2, autoprobe: false })).kind).toBe('sriov');
    expect((await plan({ kind: 'release', address: '0000:01:00.0' })).kind).toBe('release');
  });
});

describe('VM channels', () => {
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
});

describe('plans by id', () => {
  it('pass plans by id with the confirmation, and forward progress', async () => {
    const calls: unknown[][] = [];
    const progress: ApplyProgress[] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls), emitProgress: (p) => progress.push(p) }));
    expect(await dispatch(handlers, 'change:plan', { kind: 'assign', address: '0000:01:00.0', group: true })).toEqual({ ok: true, value: { id: 'p1' } });
    expect(await dispatch(handlers, 'plan:apply', { planId: 'p1', confirmText: 'enp2s0' })).toMatchObject({ ok: true });
    expect(await dispatch(handlers, 'history:planUndo', {})).toMatchObject({ ok: true, value: { id: 'p3' } });
    expect(calls).toEqual([
      ['planChange', { kind: 'assign', address: '0000:01:00.0', group: true }],
      ['apply', 'p1', 'enp2s0'],
      ['planUndo', undefined],
    ]);
    expect(progress).toEqual([{ planId: 'p1', stepId: 's1', state: 'done', message: null }]);
  });

  it('never take steps from the renderer', async () => {
    const calls: unknown[][] = [];
    const handlers = createHandlers(deps({ changes: fakeChanges(calls) }));
    expect(await dispatch(handlers, 'plan:apply', { planId: 'p1', steps: [] })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(calls).toEqual([]);
  });
});
