/**
 * The renderer's only door to the host: `window.passthru`, provided by the preload (or the
 * test bridge). Reached through this function so a missing bridge becomes a readable error
 * instead of a crash, and so stores can be tested with a fake.
 */
import { withRebuiltErrors, type PassthruApi } from '../../shared/api';
import { PassthruError } from '../../shared/errors';

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
  if (wrapped?.raw !== raw) wrapped = { raw, api: withRebuiltErrors(raw) };
  return wrapped.api;
};
