/** Where the checkout is, and its cache folders, for the harnesses run from source or from dist/. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The checkout's root: the nearest folder above this file with package.json and e2e/ (from e2e/* or dist/*). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'e2e'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
}

/** `$<envVar>` if set, else .cache/<name> in the checkout; created if missing. */
export function cacheDirFor(name: string, envVar: string): string {
  const dir = process.env[envVar] ?? path.join(repoRoot(), '.cache', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
