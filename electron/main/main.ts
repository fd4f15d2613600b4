/**
 * Electron entry point: one sandboxed window on the renderer bundle, the typed IPC handlers
 * over the host service, the menu, and "changed" events pushed to the renderer.
 * `--root DIR` (or PASSTHRU_ROOT) opens a snapshot instead of the live host.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAppServices } from '../host/service/app-services';
import { HELPER_PATH } from '../host/helper/helper-protocol';
import { createHandlers } from './ipc-handlers';
import { registerIpcHandlers, sendEvent } from './ipc';
import { applySecurityRestrictions } from './security-restrictions';
import { installMenu } from './menu';
import { parseMainArgs } from './main-args';

const rendererIndex = join(__dirname, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const isTrustedUrl = (url: string) => url.split('#')[0]?.split('?')[0] === rendererUrl;

let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Passthru',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex);
  return win;
}

async function pickSnapshotDirectory(): Promise<string | null> {
  const options = { title: 'Open a Passthru snapshot', properties: ['openDirectory' as const] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/**
 * Started from a checkout (`npm start`) with no installed helper: run the helper just built
 * (its `#!/usr/bin/node` line picks the interpreter). No polkit policy names it, so pkexec asks
 * for an administrator's password. Packaged builds always use the installed helper.
 */
function checkoutHelperArgv(): readonly string[] | undefined {
  if (app.isPackaged || existsSync(HELPER_PATH)) return undefined;
  return ['pkexec', join(__dirname, '../helper/passthru-helper.cjs')];
}

function main(): void {
  const args = parseMainArgs(process.argv.slice(app.isPackaged ? 1 : 2), process.env);
  applySecurityRestrictions(isTrustedUrl);

  // The GUI never runs as root: Chromium's sandbox refuses it, and writes go through the helper.
  if (typeof process.getuid === 'function' && process.getuid() === 0 && !args.allowRoot) {
    console.error('Passthru must not run as root; start it as your desktop user (privileged steps ask for your password).');
    app.exit(2);
    return;
  }

  // The desktop user receives /dev/vfio/<group>, so qemu need not run as root; every change
  // (taps for bridge NICs too) goes through the pkexec helper.
  const { service, changes, vms } = createAppServices({ root: args.root ?? '/', changes: { ownerUid: process.getuid?.(), helperArgv: checkoutHelperArgv() } });
  const handlers = createHandlers({
    service,
    changes,
    vms,
    pickSnapshotDirectory,
    // The desktop session's own polkit agent shows the password dialog.
    passwordPrompt: () => 'desktop',
    emitProgress: (progress) => mainWindow && sendEvent(mainWindow.webContents, 'plan:progress', progress),
    emitCheck: (check) => mainWindow && sendEvent(mainWindow.webContents, 'plan:check', check),
  });
  registerIpcHandlers(handlers, isTrustedUrl);
  service.onChanged((reason) => {
    if (mainWindow) sendEvent(mainWindow.webContents, 'host:changed', { reason });
  });

  installMenu(
    {
      openSnapshot: () => void handlers.openSnapshot({}).catch((err: Error) => dialog.showErrorBox('Cannot open snapshot', err.message)),
      useLiveHost: () => void handlers.useLiveHost({}),
      refresh: () => mainWindow && sendEvent(mainWindow.webContents, 'host:changed', { reason: 'devices' }),
    },
    !app.isPackaged,
  );

  app.whenReady().then(() => {
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = null));
  });
  app.on('window-all-closed', () => {
    service.dispose();
    app.quit();
  });
}

main();
