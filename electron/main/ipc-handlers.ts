/**
 * The main-side implementation of every IPC channel, and the dispatcher that parses each
 * payload with its channel's schema (shared/ipc-contract.ts), runs the handler of the channel's
 * API method and turns thrown errors into data. No electron import: Electron's `handle()`
 * (ipc.ts) and `passthru serve` (electron/serve) both call `dispatch`, so the GUI specs exercise exactly the
 * handlers the app runs.
 */
import { invokeChannels, isInvokeChannel, type InvokeChannel, type InvokeResult, type IpcResult, type PlanCheckEvent } from '#shared/ipc-contract';
import { PassthruError, toErrorData } from '#shared/errors';
import type { HostService } from '../host/service/host-service';
import type { ChangeServiceApi } from '../host/changes/change-service.types';
import type { VmService } from '../host/service/vm-service';
import type { ApplyProgress } from '#shared/plan';
import type { PasswordPrompt } from '#shared/app-status';
import type { z } from 'zod';

type Payload<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>;
/** Main's side of every request channel, keyed by the API method the renderer calls it with; each takes the parsed payload. */
export type Handlers = { [C in InvokeChannel as (typeof invokeChannels)[C]['method']]: (payload: Payload<C>) => Promise<InvokeResult<C>> };

export interface HandlerDeps {
  service: HostService;
  changes: ChangeServiceApi;
  vms: Pick<VmService, 'list' | 'preview' | 'create' | 'createDisk' | 'delete' | 'start' | 'status' | 'pause' | 'resume' | 'stop' | 'log' | 'export'>;
  /** Pushes apply progress to the renderer that asked. */
  emitProgress(progress: ApplyProgress): void;
  /** Pushes each check of a change under confirm-or-revert as it settles. */
  emitCheck?(event: PlanCheckEvent): void;
  /** Asks the user for a snapshot folder (a native dialog in Electron); null when cancelled. */
  pickSnapshotDirectory(): Promise<string | null>;
  /** Where polkit asks for the password when a change goes through the helper, now: the front end knows. */
  passwordPrompt(): PasswordPrompt;
}

/**
 * Handlers for the methods `target` implements under the API's own name, taking the payload
 * object as it is (or nothing): each forwards the parsed payload to them. Whether each really
 * fits its channel is checked where the result meets `Handlers`.
 */
function forwardTo<Target, Method extends keyof Target & keyof Handlers>(target: Target, methods: readonly Method[]): Pick<Target, Method> {
  const forwarded: Partial<Record<Method, (payload: unknown) => unknown>> = {};
  for (const method of methods) {
    // Looked up at call time: the service may be a class (whose methods need it as `this`) or a partial fake.
    forwarded[method] = (payload) => (target[method] as (payload: unknown) => unknown).call(target, payload);
  }
  return forwarded as Pick<Target, Method>;
}

export function createHandlers({ service, changes, vms, emitProgress, emitCheck, pickSnapshotDirectory, passwordPrompt }: HandlerDeps): Handlers {
  return {
    ...forwardTo(service, ['scan', 'source', 'iommuStatus']),
    ...forwardTo(changes, ['history']),
    // Who asks from where: a network change says whether it cuts the asking connection.
    planChange: (request, caller?: CallerContext) => changes.planChange(request, { sessionAddress: caller?.sessionAddress ?? null }),

    // What main adds to the payload: the folder the user picks, and the way progress gets back.
    openSnapshot: async ({ path }) => {
      const chosen = path ?? (await pickSnapshotDirectory());
      return chosen === null ? null : service.openSnapshot(chosen);
    },
    applyPlan: ({ planId, confirmText }) => changes.apply(planId, { confirmText, onProgress: emitProgress, onCheck: emitCheck && ((check) => emitCheck({ planId, check })) }),
    status: async () => ({
      changes: changes.route(),
      passwordPrompt: passwordPrompt(),
      watch: service.watchMode,
      watchFallback: service.watchFallback,
      pollIntervalMs: service.pollIntervalMs,
    }),

    // The host services name these differently or take positional arguments: adapted here, the one place.
    useLiveHost: () => service.useLive(),
    planUndo: ({ journalId }) => changes.planUndo(journalId),
    vmList: () => vms.list(),
    vmPreview: ({ profile, paused }) => vms.preview(profile, paused),
    vmCreate: ({ profile }) => vms.create(profile),
    vmDelete: ({ name }) => vms.delete(name),
    vmCreateDisk: ({ path, sizeGiB }) => vms.createDisk(path, sizeGiB),
    vmStart: ({ name, paused }) => vms.start(name, paused),
    vmStatus: ({ name }) => vms.status(name),
    vmPause: ({ name }) => vms.pause(name),
    vmResume: ({ name }) => vms.resume(name),
    vmStop: ({ name, force, timeoutSeconds }) => vms.stop(name, { force, timeoutSeconds }),
    vmLog: ({ name }) => vms.log(name),
    vmExport: ({ name, format }) => vms.export(name, format),
  };
}

/**
 * What the transport knows of the asker, never taken from a payload: for `passthru serve`, the
 * host address the browser's connection came to (the desktop app's IPC has none).
 */
export interface CallerContext {
  sessionAddress: string | null;
}

/** Validates channel and payload, runs the handler, and returns the result or the error as data. */
export async function dispatch(handlers: Handlers, channel: string, payload: unknown, caller?: CallerContext): Promise<IpcResult<unknown>> {
  try {
    if (!isInvokeChannel(channel)) {
      throw new PassthruError('BAD_INPUT', `Unknown request "${channel}".`, null);
    }
    const { method, request } = invokeChannels[channel];
    const parsed = request.safeParse(payload ?? {});
    if (!parsed.success) {
      throw new PassthruError('BAD_INPUT', `Invalid request for ${channel}.`, null, parsed.error.message);
    }
    const handler = handlers[method] as (p: unknown, caller?: CallerContext) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, caller) };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}
