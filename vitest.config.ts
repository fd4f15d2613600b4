import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'e2e/lab/**/*.test.ts', 'e2e/support/**/*.test.ts'],
    // The real-kernel suites boot qemu guests: `npm run test:lab` runs them.
    exclude: ['**/node_modules/**', 'e2e/lab/**/*.lab.test.ts'],
    environment: 'node',
  },
});
