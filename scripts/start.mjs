// `npm start`: builds the app, then opens the Passthru window with Electron; where Electron's
// runtime is not installed (its download failed or was skipped, which leaves the electron
// package without it), serves the same app to a browser with `passthru serve` instead, after
// one line saying why and how to get the window. Arguments after `npm start --` go to the app
// (Electron's `--root DIR`) or to `passthru serve` (`--port 0`, `--root DIR`, ...).
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronExecutable, electronPackageDir } from './electron-runtime.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

const built = spawnSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const electron = electronExecutable(electronPackageDir(REPO));
// A host reached over SSH has no display for a window even where Electron is installed.
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (electron.path !== null && hasDisplay) {
  runToTheEnd(electron.path, ['.', ...args]);
} else {
  const why =
    electron.path === null
      ? `Electron's runtime is not installed (${electron.reason}), so no window can open; ` +
        'get it with `node node_modules/electron/install.js` on a machine with network access, or install the Passthru .deb or AppImage.'
      : 'there is no display here (DISPLAY and WAYLAND_DISPLAY are unset), so no window can open; run `npm start` in a desktop session for the window.';
  process.stderr.write(`npm start: ${why} Starting \`passthru serve\` instead: open the address it prints in a browser.\n`);
  runToTheEnd(process.execPath, [join(REPO, 'dist/cli/passthru.cjs'), 'serve', ...args]);
}

/**
 * Runs the program with this terminal, passes Ctrl-C and SIGTERM on (it decides how to stop)
 * and exits with its status; killed by a signal, 128 + the signal's number, as a shell would.
 */
function runToTheEnd(program, programArgs) {
  const child = spawn(program, programArgs, { cwd: REPO, stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (err) => {
    process.stderr.write(`npm start: could not run ${program}: ${err.message}. Run \`npm install\` again, then \`npm start\`.\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}
