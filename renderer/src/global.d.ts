/** `window.passthru` is put there by the preload in the app; in a browser it is absent (api.ts builds the API itself). */
import type { PassthruApi } from '#shared/api';

declare global {
  interface Window {
    passthru?: PassthruApi;
  }
}

export {};
