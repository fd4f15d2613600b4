/**
 * The renderer's only door to the host. In the app, `window.passthru`, provided by the preload;
 * in a browser (`passthru serve`), the same API built here over a WebSocket to the server that
 * served the page (socket-transport.ts) — nothing is injected into the page. Reached through
 * this function so a missing connection becomes a readable error instead of a crash, so stores
 * can be tested with a fake, and so every piece of host data is shown with its control
 * characters made visible (lib/visible-host-data.ts).
 */
import { createApi, withRebuiltErrors, type PassthruApi } from '#shared/api';
import { PassthruError } from '#shared/errors';
import { withVisibleHostData } from './lib/visible-host-data';
import { createSocketTransport, socketUrl } from './socket-transport';

export type ApiGetter = () => PassthruApi;

let wrapped: { raw: PassthruApi; api: PassthruApi } | null = null;
let browserApi: PassthruApi | null = null;

/** The API over a WebSocket, when this page was served over HTTP(S) (by `passthru serve`); null otherwise. */
function servedApi(): PassthruApi | null {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location || (location.protocol !== 'http:' && location.protocol !== 'https:') || typeof WebSocket !== 'function') return null;
  browserApi ??= createApi(createSocketTransport(socketUrl(location), (url) => new WebSocket(url)));
  return browserApi;
}

/**
 * Whether the host side can ask the user for a folder itself (the desktop app's native picker).
 * A page served by `passthru serve` cannot: it asks for the path in a dialog of its own.
 */
export function hasFolderPicker(): boolean {
  return (globalThis as { passthru?: PassthruApi }).passthru !== undefined;
}

/**
 * Runs `use` over a connection of its own, closed afterwards. Keeping a change under
 * confirm-or-revert goes this way in a browser: a new connection to the host proves it is
 * reachable now (the page's own socket may be to an address the host no longer has). The
 * desktop app talks to its own process: there, the one API.
 */
export async function withFreshConnection<T>(use: (api: PassthruApi) => Promise<T>): Promise<T> {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  const served =
    (globalThis as { passthru?: PassthruApi }).passthru === undefined &&
    location &&
    (location.protocol === 'http:' || location.protocol === 'https:') &&
    typeof WebSocket === 'function';
  if (!served) return use(getApi());
  const transport = createSocketTransport(socketUrl(location), (url) => new WebSocket(url));
  try {
    return await use(withVisibleHostData(withRebuiltErrors(createApi(transport))));
  } finally {
    transport.close();
  }
}

export const getApi: ApiGetter = () => {
  const raw = (globalThis as { passthru?: PassthruApi }).passthru ?? servedApi();
  if (!raw) {
    throw new PassthruError(
      'ENVIRONMENT',
      'The connection to the Passthru host service is missing.',
      'Start Passthru with "npm start" (or the installed app), or run `passthru serve` and open the address it prints, rather than opening the page directly.',
    );
  }
  if (wrapped?.raw !== raw) wrapped = { raw, api: withVisibleHostData(withRebuiltErrors(raw)) };
  return wrapped.api;
};
