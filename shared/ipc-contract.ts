/**
 * The one IPC contract between renderer and main: every request channel with the API method
 * the renderer calls, the zod schema of its payload and the type of its result; and every
 * event main pushes, with the method that subscribes to it. The renderer's API (shared/api.ts:
 * its type, createApi, withRebuiltErrors), main's registration and dispatch, the preload and
 * `passthru serve` are all derived from these two maps.
 *
 * Adding a channel is: one entry here, one implementation in main (electron/main/ipc-handlers.ts),
 * and nothing else.
 */
import { z } from 'zod';
import type { IommuBootStatus } from './iommu';
import { vmName, vmProfileSchema, type VmProfile, type VmStatus } from './vm';
import type { VmExport, VmPreview, VmStopResult, VmSummary } from './vm-api';
import type { HostScan, ScanSource } from './model';
import type { LiveCheckResult } from './confirm-window';
import type { ApplyProgress, ApplyResult, JournalHistory, Plan } from './plan';
import type { PassthruErrorData } from './errors';
import type { AppStatus } from './app-status';

/** Declares a request channel: the API method that sends it, its payload schema and (type-only) its result type. */
function channel<Result>() {
  return <Method extends string, Schema extends z.ZodType>(method: Method, request: Schema) => ({ method, request, result: undefined as unknown as Result });
}

/** Declares an event: the API method that subscribes to it and (type-only) its payload type. */
function event<Payload>() {
  return <Method extends string>(method: Method) => ({ method, payload: undefined as unknown as Payload });
}

const empty = z.object({}).strict();
export const invokeChannels = {
  /** Full inventory of the current source (live host or opened snapshot). */
  'host:scan': channel<HostScan>()('scan', empty),
  /** Which source the app is showing. */
  'host:source': channel<ScanSource>()('source', empty),
  /**
   * Show a snapshot instead of the live host. Without a path, main asks the user with a
   * native folder picker; the result is null when the user cancels.
   */
  'host:openSnapshot': channel<ScanSource | null>()('openSnapshot', z.object({ path: z.string().min(1).max(4096).optional() }).strict()),
  /** Go back to the live host. */
  'host:useLive': channel<ScanSource>()('useLiveHost', empty),
  /** How changes are applied and how host changes are noticed, for the header (shared/app-status.ts). */
  'app:status': channel<AppStatus>()('status', empty),

  /**
   * Plan a change: `{ kind, ...that kind's options }` — e.g. `{ kind: 'assign', address, group? }`,
   * `{ kind: 'sriov', address, numVfs, autoprobe? }`, `{ kind: 'iommu', action, pt? }`. The
   * kinds and what each takes are the host's (electron/host/changes/kinds/, one module each,
   * whose request schema checks the rest strictly); this checks the envelope. Changes nothing.
   */
  'change:plan': channel<Plan>()('planChange', z.object({ kind: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a change kind such as assign') }).catchall(z.unknown())),
  /**
   * How the shown host boots (CPU, firmware, bootloader, initramfs — each with its evidence)
   * and whether its boot configuration turns the IOMMU on. Read-only.
   */
  'iommu:status': channel<IommuBootStatus>()('iommuStatus', empty),
  /**
   * Apply a plan main made earlier, by id: the renderer cannot send steps of its own. A
   * forced plan needs `confirmText` equal to the plan's `refusal.confirmText`.
   */
  'plan:apply': channel<ApplyResult>()('applyPlan', z.object({ planId: z.string().min(1).max(100), confirmText: z.string().max(64).optional() }).strict()),
  /** Saved VM profiles (and running VMs whose profile was deleted) with their state now. */
  'vm:list': channel<VmSummary[]>()('vmList', empty),
  /**
   * What starting this profile would do — the checks and the exact qemu command line — for a
   * profile being edited (not saved yet) or a saved one. Starts nothing.
   */
  'vm:preview': channel<VmPreview>()('vmPreview', z.object({ profile: vmProfileSchema, paused: z.boolean().optional() }).strict()),
  /** Save a new profile (refused when the name is taken). */
  'vm:create': channel<VmProfile>()('vmCreate', z.object({ profile: vmProfileSchema }).strict()),
  /** Create a new, empty qcow2 disk image with qemu-img (never over an existing file). */
  'vm:createDisk': channel<null>()(
    'vmCreateDisk',
    z
      .object({
        path: z
          .string()
          .min(2)
          .max(4096)
          .startsWith('/')
          .regex(/^[^\0\n\r]*$/, 'no line breaks'),
        sizeGiB: z
          .number()
          .int()
          .min(1)
          .max(64 * 1024),
      })
      .strict(),
  ),
  /** Delete a saved profile (refused while it runs); its disks stay. */
  'vm:delete': channel<null>()('vmDelete', z.object({ name: vmName }).strict()),
  /** Start a saved VM (`paused`: CPUs stopped until resumed); the checks run first. */
  'vm:start': channel<VmStatus>()('vmStart', z.object({ name: vmName, paused: z.boolean().optional() }).strict()),
  'vm:status': channel<VmStatus>()('vmStatus', z.object({ name: vmName }).strict()),
  'vm:pause': channel<VmStatus>()('vmPause', z.object({ name: vmName }).strict()),
  'vm:resume': channel<VmStatus>()('vmResume', z.object({ name: vmName }).strict()),
  /** Graceful (ACPI power button, forced after `timeoutSeconds`) or forced stop. */
  'vm:stop': channel<VmStopResult>()('vmStop', z.object({ name: vmName, force: z.boolean().optional(), timeoutSeconds: z.number().int().min(1).max(600).optional() }).strict()),
  /** The end of the VM's qemu log. */
  'vm:log': channel<{ file: string; text: string }>()('vmLog', z.object({ name: vmName }).strict()),
  /** The profile as a shell script or as libvirt domain XML. */
  'vm:export': channel<VmExport>()('vmExport', z.object({ name: vmName, format: z.enum(['script', 'libvirt']) }).strict()),
  /** Journal of changes, newest first. */
  'history:list': channel<JournalHistory>()('history', empty),
  /** Plan that reverses a journaled change (the newest applied one when no id is given). */
  'history:planUndo': channel<Plan>()('planUndo', z.object({ journalId: z.string().min(1).max(100).optional() }).strict()),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
export type InvokeResult<C extends InvokeChannel> = (typeof invokeChannels)[C]['result'];

/** The API method the renderer calls to send on a request channel. */
export type RequestMethod = (typeof invokeChannels)[InvokeChannel]['method'];

/** Events main pushes to the renderer. */
export const eventChannels = {
  /** Devices, drivers, interfaces, addresses or routes changed (or the source, or how changes are noticed): re-fetch. */
  'host:changed': event<{ reason: 'devices' | 'source' }>()('onHostChanged'),
  /** A step of a plan being applied changed state. */
  'plan:progress': event<ApplyProgress>()('onPlanProgress'),
  /** A change under confirm-or-revert: one check from the host's side settled. */
  'plan:check': event<PlanCheckEvent>()('onPlanCheck'),
} as const;

/** One check of confirm-or-revert, for the plan being applied. */
export interface PlanCheckEvent {
  planId: string;
  check: LiveCheckResult;
}

export type EventChannel = keyof typeof eventChannels;
export type EventPayloads = { [E in EventChannel]: (typeof eventChannels)[E]['payload'] };
/** The API method the renderer calls to subscribe to an event. */
export type SubscriptionMethod = (typeof eventChannels)[EventChannel]['method'];

/** Errors cross IPC as data, never as rejected promises. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: PassthruErrorData };

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeChannels, name);
}

export function isEventChannel(name: string): name is EventChannel {
  return Object.prototype.hasOwnProperty.call(eventChannels, name);
}
