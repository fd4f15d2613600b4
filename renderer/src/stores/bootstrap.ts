/**
 * Starts the app's data flow: first scan, current source, live updates from main, and the
 * URL hash ↔ page sync. Returns a teardown so React's StrictMode double-mount stays clean.
 */
import { getApi } from '../api';
import { formatHash, parseHash } from '../lib/route';
import { connectHostEvents } from './host-events';
import { scanStore } from './scan-store';
import { sourceStore } from './source-store';
import { statusStore } from './status-store';
import { uiStore } from './ui-store';

export function startApp(win: Window = window): () => void {
  void scanStore.getState().load();
  void sourceStore.getState().refresh();
  void statusStore.getState().refresh();

  let disconnect = () => {};
  try {
    disconnect = connectHostEvents(getApi(), {
      onDevicesChanged: () => {
        void scanStore.getState().load();
        void statusStore.getState().refresh();
      },
      onSourceChanged: () => {
        void sourceStore.getState().sourceChanged();
        void statusStore.getState().refresh();
      },
    });
  } catch {
    // No bridge at all: the scan above already failed with a readable error.
  }

  const applyHash = () => uiStore.getState().applyRoute(parseHash(win.location.hash));
  applyHash();
  win.addEventListener('hashchange', applyHash);
  const unsubscribeUi = uiStore.subscribe((s) => {
    const hash = formatHash({ page: s.page, device: s.selectedDevice });
    if (win.location.hash !== hash) win.history.replaceState(null, '', hash);
  });

  return () => {
    disconnect();
    unsubscribeUi();
    win.removeEventListener('hashchange', applyHash);
  };
}
