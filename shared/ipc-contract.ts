/**
 * The one IPC contract between renderer and main: every request channel with the zod schema
 * of its payload and the type of its result, and every event main pushes. Main's `handle()`,
 * the preload API and the test bridge are all derived from these two maps.
 */
import { z } from 'zod';
import type { HostScan, ScanSource } from './model';
import type { PassthruErrorData } from './errors';

/** Declares a request channel: payload schema plus (type-only) result type. */
function channel<Result>() {
  return <Schema extends z.ZodType>(request: Schema) => ({ request, result: undefined as unknown as Result });
}

const empty = z.object({}).strict();

export const invokeChannels = {
  /** Full inventory of the current source (live host or opened snapshot). */
  'host:scan': channel<HostScan>()(empty),
  /** Which source the app is showing. */
  'host:source': channel<ScanSource>()(empty),
  /**
   * Show a snapshot instead of the live host. Without a path, main asks the user with a
   * native folder picker; the result is null when the user cancels.
   */
  'host:openSnapshot': channel<ScanSource | null>()(
    z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
  ),
  /** Go back to the live host. */
  'host:useLive': channel<ScanSource>()(empty),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
export type InvokeResult<C extends InvokeChannel> = (typeof invokeChannels)[C]['result'];

/** Events main pushes to the renderer. */
export interface EventPayloads {
  /** Devices, drivers or interfaces changed (or the source changed): re-fetch. */
  'host:changed': { reason: 'devices' | 'source' };
}
export type EventChannel = keyof EventPayloads;
export const eventChannels: EventChannel[] = ['host:changed'];

/** Errors cross IPC as data, never as rejected promises. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: PassthruErrorData };

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeChannels, name);
}
