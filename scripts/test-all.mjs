// `npm test`: every check the project has, in order, each timed: types, lint, build, unit
// tests, the chroot tests (the real update-grub in a Debian chroot; root), GUI specs
// (Chromium through `passthru serve`, and Electron when its runtime exists), the real-kernel
// lab, and the GUI driven against a lab guest. Keeps going after a failure so one run shows
// everything, and exits non-zero if any step failed.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['build', 'npm', ['run', '-s', 'build']],
  ['unit', 'npx', ['vitest', 'run']],
  ['chroot (update-grub in a debootstrap Debian chroot)', 'npm', ['run', '-s', 'test:chroot']],
  ['gui (chromium through passthru serve; electron when present)', 'npx', ['playwright', 'test']],
  ['lab (real kernels under qemu)', 'npm', ['run', '-s', 'test:lab']],
  // The build step above made dist/, so this calls Playwright directly (test:lab-gui rebuilds).
  ['lab gui (the wizard in Chromium against a lab guest)', 'npx', ['playwright', 'test', '--config', 'playwright.lab.config.ts']],
];

const only = process.argv.slice(2);
const results = [];
for (const [name, command, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const run = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, ok: run.status === 0, seconds });
  console.log(`=== ${name}: ${run.status === 0 ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`} in ${seconds} s ===`);
}

console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
