/**
 * The benchmark's in-page half (built by scripts/build.mjs into dist/bench/page-probes.js and
 * installed before the app's own scripts): watches for the Devices table's first painted rows
 * and the scan's arrival over the WebSocket, and times a sort or a filter from the user's
 * action to the painted result. "Painted": a task queued from the next animation frame runs after
 * that frame's paint.
 */
interface BenchState {
  tablePainted?: number;
  scanReceived?: number;
  biggest: number;
  sort(label: string): Promise<number>;
  filter(query: string): Promise<number>;
}

declare global {
  interface Window {
    __bench: BenchState;
  }
}

const GRID = '[role=grid][aria-label="PCI devices"]';

/** Resolves after the frame in which `done()` first holds has been painted. */
function untilPainted(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? requestAnimationFrame(() => setTimeout(resolve, 0)) : requestAnimationFrame(check));
    check();
  });
}

const header = (label: string) => [...document.querySelectorAll(`${GRID} [role=columnheader]`)].find((h) => h.textContent?.trim().startsWith(label));
const status = () => [...document.querySelectorAll('[role=status]')].map((s) => s.textContent ?? '').find((t) => /devices?$/.test(t)) ?? '';

const state: BenchState = {
  biggest: 0,
  async sort(label) {
    const before = header(label)?.getAttribute('aria-sort') ?? null;
    const button = header(label)?.querySelector('button');
    if (!button) throw new Error(`no sort button for ${label}`);
    const started = performance.now();
    button.click();
    await untilPainted(() => (header(label)?.getAttribute('aria-sort') ?? null) !== before);
    return performance.now() - started;
  },
  async filter(query) {
    const input = document.querySelector<HTMLInputElement>('#device-search');
    if (!input) throw new Error('no search box');
    const before = status();
    // As typing does: the native setter, then the input event React listens to.
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const started = performance.now();
    setValue.call(input, query);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await untilPainted(() => status() !== before);
    return performance.now() - started;
  },
};
window.__bench = state;

// The scan is the biggest message the server sends: note when it arrives.
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener('message', (e: MessageEvent) => {
      const size = typeof e.data === 'string' ? e.data.length : 0;
      if (size > state.biggest) {
        state.biggest = size;
        state.scanReceived = performance.now();
      }
    });
  }
};

void untilPainted(() => document.querySelector(`${GRID} [role=row][data-address]`) !== null).then(() => (state.tablePainted = performance.now()));

export {};
