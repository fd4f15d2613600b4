/**
 * Host data in the GUI is shown with its control characters made visible: a
 * hostname, an interface, driver or VM name, a journal step title, a plan's text or a log may
 * hold ESC sequences, C1 controls or bidi overrides. React already escapes HTML; these it would
 * put into the page as they are, where the bidi ones reorder what the user reads (a command can
 * look like another) and the others hide or garble text — and copied out, reach a terminal.
 *
 * Every piece of host data enters the renderer through the API (api.ts), so it is made
 * visible there, once, for every view: each string of every result, event and error passes
 * visibleControls (`\uXXXX`; TAB and LF stay, they are layout). What the renderer sends back —
 * plan and journal ids, PCI addresses, VM names — main makes or checks against patterns that
 * admit none of these characters, so they pass through unchanged.
 */
import { isErrorData, wrapApi, type PassthruApi } from '#shared/api';
import { PassthruError } from '#shared/errors';
import { visibleControls } from '#shared/control-chars';

/** `value` with every string in it (deeply) made visible; other values as they are. */
export function visibleHostData<T>(value: T): T {
  if (typeof value === 'string') return visibleControls(value) as T;
  if (Array.isArray(value)) return value.map(visibleHostData) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [visibleControls(k), visibleHostData(v)])) as T;
  }
  return value;
}

function visibleError(err: unknown): unknown {
  if (err instanceof PassthruError) {
    const shown = (s: string | null) => (s === null ? null : visibleControls(s));
    return new PassthruError(err.code, visibleControls(err.message), shown(err.remedy), shown(err.detail));
  }
  if (err instanceof Error) return new Error(visibleControls(err.message));
  return isErrorData(err) ? visibleHostData(err) : err;
}

/** The API with its results, events and errors made visible (see above). */
export function withVisibleHostData(api: PassthruApi): PassthruApi {
  return wrapApi(api, {
    request: (call) => (request) =>
      call(request).then(visibleHostData, (err: unknown) => {
        throw visibleError(err);
      }),
    subscription: (subscribe) => (listener) => subscribe((payload) => listener(visibleHostData(payload))),
  });
}
