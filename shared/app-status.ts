/**
 * How the app behind the window works right now, for its header: by which road a change the
 * user applies reaches the host, who would ask for a password, and how the view learns that the
 * host changed. Read with `api.status()` and again after every `host:changed` event.
 */

/**
 * By which road an applied change reaches the host:
 * - `as-root`: this process runs as root (`sudo passthru serve`, the CLI under sudo) and makes it itself;
 * - `helper`: through pkexec and Passthru's privileged helper, which asks polkit;
 * - `no-helper`: it would go through the helper, which is not installed here, so it cannot be applied;
 * - `rehearsal`: a snapshot is shown; plans can be read, never applied.
 */
export type ChangeRoute = 'as-root' | 'helper' | 'no-helper' | 'rehearsal';

/**
 * Where polkit's password prompt appears for the `helper` road: a desktop's authentication
 * agent, polkit's text agent in the terminal that started `passthru serve`, or nowhere (pkexec
 * will then refuse: no authentication agent).
 */
export type PasswordPrompt = 'desktop' | 'terminal' | 'none';

/** How changes of the shown host are noticed: the kernel's events, polling, or not at all. */
export type WatchMode = 'events' | 'polling' | 'off';

export interface AppStatus {
  changes: ChangeRoute;
  /** Only meaningful for `changes: 'helper'`. */
  passwordPrompt: PasswordPrompt;
  watch: WatchMode;
  /** Why the kernel's events are not used on the live host (a monitor that could not start or died), if so. */
  watchFallback: string | null;
  /** The polling interval (ms) when `watch` is `polling`. */
  pollIntervalMs: number;
}
