// Builds what the lab runs, so `npm run lab` / `test:lab` / `lab:fixtures` work on a fresh
// clone and always use the current sources: dist/lab/lab.cjs, and with --cli also the
// passthru CLI bundle the guest runs (same esbuild options as scripts/build.mjs).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', external: ['electron'] };
const jobs = [build({ ...common, entryPoints: ['e2e/lab/lab.ts'], outfile: 'dist/lab/lab.cjs', banner: { js: '#!/usr/bin/env node' } })];
if (process.argv.includes('--cli')) {
  jobs.push(
    build({ ...common, entryPoints: ['electron/cli/passthru.ts'], outfile: 'dist/cli/passthru.cjs', banner: { js: '#!/usr/bin/env node' } }).then(() =>
      chmodSync('dist/cli/passthru.cjs', 0o755),
    ),
  );
}
await Promise.all(jobs);
