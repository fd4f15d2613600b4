/**
 * `passthru serve` put together: the same services and handlers Electron's main process runs
 * (createAppServices, createHandlers), behind the server of serve-server.ts, with a new token
 * for this start. The CLI command (electron/cli/commands/serve.ts) checks the options and
 * prints; this module only builds, listens and stops.
 */
import type { PasswordPrompt } from '#shared/app-status';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassthruError } from '#shared/errors';
import { createAppServices } from '../host/service/app-services';
import { createHandlers } from '../main/ipc-handlers';
import { AccessGate } from './access';
import { DEFAULT_PORT, urlHost, type ListenAddress } from './listen-address';
import { certificateNames } from './origin';
import { createServeServer, listen } from './serve-server';

export interface ServeOptions {
  address: ListenAddress;
  /** Ignored on a unix socket; 0 picks a free port. */
  port: number;
  /** `/` for this machine, or a snapshot shown read-only. */
  root: string;
  /** The journal directory of changes (default: the system journal for `/`). */
  stateDir?: string;
  tls?: { cert: Buffer; key: Buffer };
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** Who receives /dev/vfio/N after an assign (none: root keeps it). */
  ownerUid?: number;
  /** How often the host is polled for device changes, in ms (default: the host service's). */
  pollIntervalMs?: number;
  /** When the kernel's events are used rather than polling (default: on the live host). */
  watchEvents?: 'live' | 'never' | 'always';
  /** NAT NICs with `restrict=on` (tests: nothing leaves the machine). */
  restrictNat?: boolean;
  vmAccel?: 'auto' | 'kvm' | 'tcg';
  /** Where polkit asks for the password of a change made through the helper, now (default: nowhere). */
  passwordPrompt?: () => PasswordPrompt;
}

export interface RunningServe {
  /** The address to open, with this start's token (on a unix socket: once forwarded to DEFAULT_PORT, see sshForward). */
  url: string;
  /** The port listened on (null on a unix socket). */
  port: number | null;
  close(): Promise<void>;
}

/** Whether the built pages are where the server looks for them. */
export function checkRendererDir(rendererDir: string): void {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new PassthruError(
      'ENVIRONMENT',
      `The app's pages are not next to this passthru: ${join(rendererDir, 'index.html')} is missing.`,
      'Build them with `npm run build` in a checkout, or install Passthru again.',
    );
  }
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  checkRendererDir(options.rendererDir);
  const { service, changes, vms } = createAppServices({
    root: options.root,
    pollIntervalMs: options.pollIntervalMs,
    watchEvents: options.watchEvents,
    changes: { stateDir: options.stateDir, ownerUid: options.ownerUid },
    vms: { restrictNat: options.restrictNat, accel: options.vmAccel },
  });
  const handlers = createHandlers({
    service,
    changes,
    vms,
    // A browser has no native folder picker: the page asks for the path (SnapshotPathDialog), and
    // a request without one is a cancel.
    pickSnapshotDirectory: async () => null,
    passwordPrompt: options.passwordPrompt ?? (() => 'none'),
    emitProgress: (progress) => serve.broadcast('plan:progress', progress),
    emitCheck: (check) => serve.broadcast('plan:check', check),
  });
  const gate = new AccessGate({ secure: options.tls !== undefined });
  const serve = createServeServer({
    handlers,
    onHostChanged: (listener) => service.onChanged(listener),
    rendererDir: options.rendererDir,
    address: options.address,
    tls: options.tls,
    gate,
    extraNames: [hostname(), ...(options.tls ? certificateNames(options.tls.cert) : [])],
  });
  try {
    await listen(serve, options.address, options.port);
  } catch (err) {
    service.dispose();
    throw err;
  }
  const port = serve.port();
  const scheme = options.tls ? 'https' : 'http';
  // On every address at once, the machine's name is the one to show — when it is one a URL can hold.
  const name = /^[A-Za-z0-9.-]+$/.test(hostname()) ? hostname() : '127.0.0.1';
  const where = options.address.kind === 'tcp' ? `${urlHost(options.address, name)}:${port ?? options.port}` : `127.0.0.1:${DEFAULT_PORT}`;
  return {
    url: `${scheme}://${where}/?token=${gate.token}`,
    port,
    async close() {
      service.dispose();
      await serve.close();
    },
  };
}

/**
 * The `ssh -L` command that brings the server to a laptop's 127.0.0.1, or null when the
 * server is already reachable from the network (and says so with its own address).
 */
export function sshForward(address: ListenAddress, port: number | null): string | null {
  const host = hostname();
  if (address.kind === 'unix') return `ssh -L ${DEFAULT_PORT}:${address.path} ${host}`;
  if (!address.loopback || port === null) return null;
  return `ssh -L ${port}:${urlHost(address, host)}:${port} ${host}`;
}
