/**
 * Trailing-edge debounce with cancel, for coalescing bursts of host "changed" events
 * (a driver rebind fires several uevents) into one re-scan.
 */
export interface Debounced {
  trigger(): void;
  cancel(): void;
  pending(): boolean;
}

export function debounce(fn: () => void, ms: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    trigger() {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    pending: () => timer !== null,
  };
}
