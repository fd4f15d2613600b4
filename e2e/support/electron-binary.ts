/** Where the Electron runtime is, if the electron package managed to install its binary. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function electronBinary(): { path: string | null; reason: string } {
  const explicit = process.env.PASSTHRU_ELECTRON;
  if (explicit) {
    return existsSync(explicit) ? { path: explicit, reason: '' } : { path: null, reason: `PASSTHRU_ELECTRON=${explicit} does not exist` };
  }
  try {
    // The electron package exports the binary's path, and throws when its download failed.
    const path = createRequire(__filename)('electron') as unknown as string;
    if (typeof path === 'string' && existsSync(path)) return { path, reason: '' };
    return { path: null, reason: `the electron package points at ${String(path)}, which does not exist` };
  } catch (err) {
    return { path: null, reason: `the electron package has no runtime binary (${(err as Error).message.split('\n')[0]})` };
  }
}
