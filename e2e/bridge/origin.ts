/**
 * Which origin a request to the bridge came from, and whether the bridge answers it at all.
 * Whatever address the bridge listens on, it only answers requests whose Host header names a
 * loopback address (or the explicit --host address), and only accepts WebSockets whose Origin
 * is exactly that same `http://HOST:PORT` — so only a page it served, as the browser addressed
 * it, can call the handlers (no DNS rebinding, no other site).
 */

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
export const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export function listensOnLoopbackOnly(listenHost: string): boolean {
  return LOOPBACK_NAMES.has(listenHost) || listenHost === '::1';
}

/**
 * The origin (`http://HOST:PORT`) the browser used, from the request's Host header, or null
 * when that Host is not one this bridge answers to. The name must be a loopback address (or
 * the explicit --host address); the port must be ours, except when listening beyond loopback,
 * where a forwarder (qemu's hostfwd) puts the browser on a port of its own.
 */
export function originFor(hostHeader: string | undefined, ownPort: number, listenHost: string): string | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(hostHeader ?? '');
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const port = Number(m[2]);
  const loopbackOnly = listensOnLoopbackOnly(listenHost);
  const nameOk = LOOPBACK_NAMES.has(name) || (!WILDCARDS.has(listenHost) && !loopbackOnly && name === listenHost.toLowerCase());
  const portOk = port === ownPort || (!loopbackOnly && port > 0 && port < 65536);
  return nameOk && portOk ? `http://${name}:${port}` : null;
}
