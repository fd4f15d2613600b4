/**
 * Test-only bridge: serves the built renderer over HTTP (on 127.0.0.1 unless --host says
 * otherwise) and implements window.passthru over a WebSocket, dispatching to the same
 * main-side handlers Electron uses (electron/main/ipc-handlers.ts). Lets the GUI specs run in
 * Debian's Chromium where no Electron runtime can be downloaded.
 *
 *   node dist/bridge/server.cjs [--root DIR] [--pick-snapshot DIR] [--port N] [--poll-ms N]
 *                               [--host ADDR] [--state-dir DIR] [--owner UID]
 *                               [--vm-config-dir DIR] [--vm-runtime-dir DIR] [--vm-accel auto|kvm|tcg]
 *
 * `--host 0.0.0.0` is for a lab guest, where the browser on the host reaches the bridge through
 * qemu's hostfwd on the host's 127.0.0.1 (e2e/lab-gui). Whatever it listens on, the bridge only
 * answers requests whose Host header names a loopback address (or the --host address), and
 * only accepts WebSockets whose Origin is exactly that same `http://HOST` (origin.ts). The
 * request handling (bridge-server.ts, static-files.ts, socket-session.ts) survives anything a
 * client sends.
 *
 * Prints `PASSTHRU_BRIDGE_READY http://HOST:PORT/` once listening.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppServices } from '../../electron/host/service/app-services';
import { createHandlers } from '../../electron/main/ipc-handlers';
import { createBridgeServer } from './bridge-server';
import { WILDCARDS } from './origin';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    'pick-snapshot': { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'poll-ms': { type: 'string', default: '1000' },
    'renderer-dir': { type: 'string' },
    'state-dir': { type: 'string' },
    owner: { type: 'string' },
    'vm-config-dir': { type: 'string' },
    'vm-runtime-dir': { type: 'string' },
    'vm-accel': { type: 'string', default: 'auto' },
  },
  strict: true,
});

const rendererDir = resolve(values['renderer-dir'] ?? join(__dirname, '../renderer'));
const vmAccel = values['vm-accel'];
if (vmAccel !== 'auto' && vmAccel !== 'kvm' && vmAccel !== 'tcg') throw new Error(`--vm-accel must be auto, kvm or tcg, not ${vmAccel}`);
const { service, changes, vms } = createAppServices({
  root: values.root ?? '/',
  pollIntervalMs: Number(values['poll-ms']),
  changes: { stateDir: values['state-dir'], ownerUid: values.owner === undefined ? undefined : Number(values.owner) },
  // VM profiles and runtime files in the test's own directories; NAT NICs reach nothing.
  vms: { dirs: { configDir: values['vm-config-dir'], runtimeDir: values['vm-runtime-dir'] }, restrictNat: true, accel: vmAccel },
});
const handlers = createHandlers({
  service,
  changes,
  vms,
  // The native folder picker cannot be shown in a browser: tests preset the folder it "returns".
  pickSnapshotDirectory: async () => values['pick-snapshot'] ?? null,
  emitProgress: (progress) => bridge.broadcast('plan:progress', progress),
});

const listenHost = values.host;
const bridge = createBridgeServer({
  handlers,
  onHostChanged: (listener) => service.onChanged(listener),
  site: { rendererDir, clientFile: join(__dirname, 'client.js') },
  listenHost,
});

bridge.server.listen(Number(values.port), listenHost, () => {
  const { port } = bridge.server.address() as { port: number };
  const shown = WILDCARDS.has(listenHost) ? '127.0.0.1' : listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  console.log(`PASSTHRU_BRIDGE_READY http://${shown}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    service.dispose();
    bridge.close(() => process.exit(0));
  });
}
