/**
 * Where the Electron runtime is, if one is installed. Deliberately does not `require('electron')`:
 * since Electron 41 that starts a download when the binary is missing, which on a machine
 * without internet hangs instead of answering.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function electronBinary(): { path: string | null; reason: string } {
  const explicit = process.env.PASSTHRU_ELECTRON;
  if (explicit) {
    return existsSync(explicit) ? { path: explicit, reason: '' } : { path: null, reason: `PASSTHRU_ELECTRON=${explicit} does not exist` };
  }
  const pkg = resolve(__dirname, '../../node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    return { path: null, reason: 'the electron package has not downloaded its runtime (node_modules/electron/path.txt is missing)' };
  }
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary, reason: '' } : { path: null, reason: `${binary} does not exist` };
}
