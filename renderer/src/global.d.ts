/** `window.passthru` is injected by the preload (or the test bridge) before the app loads. */
import type { PassthruApi } from '#shared/api';

declare global {
  interface Window {
    passthru: PassthruApi;
  }
}

export {};
