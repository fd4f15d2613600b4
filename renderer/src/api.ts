/**
 * The renderer's only door to the host: `window.passthru`, provided by the preload (or the
 * test bridge). Reached through this function so a missing bridge becomes a readable error
 * instead of a crash, so stores can be tested with a fake, and so every piece of host data
 * is shown with its control characters made visible (lib/visible-host-data.ts).
 */
import { withRebuiltErrors, type PassthruApi } from '#shared/api';
import { PassthruError } from '#shared/errors';
import { withVisibleHostData } from './lib/visible-host-data';

export type ApiGetter = () => PassthruApi;

let wrapped: { raw: PassthruApi; api: PassthruApi } | null = null;

export const getApi: ApiGetter = () => {
  const raw = (globalThis as { passthru?: PassthruApi }).passthru;
  if (!raw) {
    throw new PassthruError(
      'ENVIRONMENT',
      'The connection to the Passthru host service is missing.',
      'Start Passthru with "npm start" (or the installed app) rather than opening the page directly.',
    );
  }
  if (wrapped?.raw !== raw) wrapped = { raw, api: withVisibleHostData(withRebuiltErrors(raw)) };
  return wrapped.api;
};
