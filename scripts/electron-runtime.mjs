// Where Electron's runtime is, or why it is missing, for `npm start` (scripts/start.mjs). The
// electron npm package downloads its runtime when installed; where that download fails or is
// skipped, the package is there without it. Deliberately never `require('electron')`: its
// index.js starts that download again when the runtime is missing, and on a machine without
// network that fails ("Electron failed to install correctly") or hangs instead of answering.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The directory of the electron package `fromDir` would load, or null when it does not resolve. */
export function electronPackageDir(fromDir) {
  try {
    // Its package.json, not the package: resolving runs nothing.
    return dirname(createRequire(join(fromDir, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * The executable Electron's own index.js would name (path.txt, relative to dist/, or under
 * ELECTRON_OVERRIDE_DIST_PATH), checked to exist: `{ path }`, or `{ path: null, reason }` with
 * the reason in words that finish "Electron's runtime is not installed (…)".
 */
export function electronExecutable(packageDir, env = process.env) {
  if (packageDir === null) return { path: null, reason: 'the electron package is not installed: run npm install' };
  const pathFile = join(packageDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, named || 'electron');
    return existsSync(path) ? { path } : { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH names ${path}, which does not exist` };
  }
  if (named === null || named === '') return { path: null, reason: `${pathFile} is missing: its download failed or was skipped` };
  const path = join(packageDir, 'dist', named);
  return existsSync(path) ? { path } : { path: null, reason: `${path} does not exist: its download failed or was cut short` };
}
