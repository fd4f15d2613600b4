/**
 * `npm run test:chroot`: suites that run real Debian tools (update-grub, grub-mkconfig) in a
 * debootstrap chroot, every test file under e2e/chroot (the unit config does not include
 * them). They need root; the global setup fails the run, naming what to install, when
 * something is missing — nothing skips. The chroot is built once into .cache/chroot (about a
 * minute) and copied fresh for each test.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/chroot/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['e2e/chroot/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['verbose'],
  },
});
