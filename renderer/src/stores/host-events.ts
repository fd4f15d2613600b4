/**
 * Keeps the view current: listens for main's `host:changed` events and, debounced, re-scans
 * (devices changed) or re-reads the source and re-scans from scratch (source changed).
 */
import type { PassthruApi } from '#shared/api';
import { debounce } from '../lib/debounce';

/**
 * Short: the host side already gathers a burst of kernel events (or a poll) into one
 * notification, so this only merges what arrives together (a source switch sends `source` and
 * `devices`), and adds little to how soon the page shows a change.
 */
export const HOST_CHANGED_DEBOUNCE_MS = 50;

export interface HostEventHandlers {
  onDevicesChanged(): void;
  onSourceChanged(): void;
}

/** Subscribes; returns the unsubscribe function (which also drops a pending refresh). */
export function connectHostEvents(api: Pick<PassthruApi, 'onHostChanged'>, handlers: HostEventHandlers, ms = HOST_CHANGED_DEBOUNCE_MS): () => void {
  let sourceChanged = false;
  const fire = debounce(() => {
    const source = sourceChanged;
    sourceChanged = false;
    if (source) handlers.onSourceChanged();
    else handlers.onDevicesChanged();
  }, ms);
  const unsubscribe = api.onHostChanged((payload) => {
    if (payload?.reason === 'source') sourceChanged = true;
    fire.trigger();
  });
  return () => {
    fire.cancel();
    unsubscribe();
  };
}
