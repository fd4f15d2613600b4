/**
 * `npm run test:lab`: the lab's real-kernel suites (*.lab.test.ts; its unit tests run with
 * the others under the root vitest config). The
 * suites boot qemu guests under TCG on a 2-core machine, so files run one at a time and the
 * timeouts are long; each scenario boots once in a beforeAll.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/lab/**/*.lab.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
