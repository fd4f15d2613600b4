/**
 * The main-side implementation of every IPC channel, and the dispatcher that parses each
 * payload with its channel's schema and turns thrown errors into data. No electron import:
 * Electron's `handle()` (ipc.ts) and the test bridge both call `dispatch`, so the GUI specs
 * exercise exactly the handlers the app runs.
 */
import { invokeChannels, isInvokeChannel, type InvokeChannel, type InvokeResult, type IpcResult } from '../../shared/ipc-contract';
import { PassthruError, toErrorData } from '../../shared/errors';
import type { HostService } from '../host/service/host-service';
import type { ChangeServiceApi } from '../host/changes/change-service.types';
import type { VmService } from '../host/service/vm-service';
import type { ApplyProgress } from '../../shared/plan';
import type { z } from 'zod';

type Payload<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>;
export type Handlers = { [C in InvokeChannel]: (payload: Payload<C>) => Promise<InvokeResult<C>> };

export interface HandlerDeps {
  service: HostService;
  changes: ChangeServiceApi;
  vms: Pick<VmService, 'list' | 'preview' | 'create' | 'createDisk' | 'delete' | 'start' | 'status' | 'pause' | 'resume' | 'stop' | 'log' | 'export'>;
  /** Pushes apply progress to the renderer that asked. */
  emitProgress(progress: ApplyProgress): void;
  /** Asks the user for a snapshot folder (a native dialog in Electron); null when cancelled. */
  pickSnapshotDirectory(): Promise<string | null>;
}

export function createHandlers({ service, changes, vms, emitProgress, pickSnapshotDirectory }: HandlerDeps): Handlers {
  return {
    'host:scan': () => service.scan(),
    'host:source': () => service.source(),
    'host:openSnapshot': async ({ path }) => {
      const chosen = path ?? (await pickSnapshotDirectory());
      return chosen === null ? null : service.openSnapshot(chosen);
    },
    'host:useLive': () => service.useLive(),
    'assign:plan': (request) => changes.planChange({ kind: 'assign', ...request }),
    'release:plan': (request) => changes.planChange({ kind: 'release', ...request }),
    'sriov:plan': (request) => changes.planChange({ kind: 'sriov', ...request }),
    'vf:plan': (request) => changes.planChange({ kind: 'vf-config', ...request }),
    'iommu:status': () => service.iommuStatus(),
    'iommu:plan': (request) => changes.planChange({ kind: 'iommu', ...request }),
    'plan:apply': ({ planId, confirmText }) => changes.apply(planId, { confirmText, onProgress: emitProgress }),
    'history:list': () => changes.history(),
    'history:planUndo': ({ journalId }) => changes.planUndo(journalId),
    'vm:list': () => vms.list(),
    'vm:preview': ({ profile, paused }) => vms.preview(profile, paused),
    'vm:create': ({ profile }) => vms.create(profile),
    'vm:delete': ({ name }) => vms.delete(name),
    'vm:createDisk': ({ path, sizeGiB }) => vms.createDisk(path, sizeGiB),
    'vm:start': ({ name, paused }) => vms.start(name, paused),
    'vm:status': ({ name }) => vms.status(name),
    'vm:pause': ({ name }) => vms.pause(name),
    'vm:resume': ({ name }) => vms.resume(name),
    'vm:stop': ({ name, force, timeoutSeconds }) => vms.stop(name, { force, timeoutSeconds }),
    'vm:log': ({ name }) => vms.log(name),
    'vm:export': ({ name, format }) => vms.export(name, format),
  };
}

/** Validates channel and payload, runs the handler, and returns the result or the error as data. */
export async function dispatch(handlers: Handlers, channel: string, payload: unknown): Promise<IpcResult<unknown>> {
  try {
    if (!isInvokeChannel(channel)) {
      throw new PassthruError('BAD_INPUT', `Unknown request "${channel}".`, null);
    }
    const parsed = invokeChannels[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      throw new PassthruError('BAD_INPUT', `Invalid request for ${channel}.`, null, parsed.error.message);
    }
    const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}
