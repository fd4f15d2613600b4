/**
 * Records how long each lab scenario took to boot and to check, printed and appended to
 * .cache/lab/timings.log, so slowdowns of the suite on the 2-core CI machine show up.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../initramfs';

export function recordTiming(scenario: string, what: string, ms: number): void {
  const line = `${new Date().toISOString()} ${scenario} ${what} ${(ms / 1000).toFixed(1)}s`;
  console.log(`[lab timing] ${line}`);
  appendFileSync(path.join(cacheDir(), 'timings.log'), `${line}\n`);
}
