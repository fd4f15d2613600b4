// Builds every part of the app into dist/: the Node-side bundles with esbuild (scripts/bundles.mjs:
// main, preload, CLI, lab runner, bench, helper) and the renderer with Vite (which the CLI's
// `passthru serve` serves from dist/renderer). `--node-only` skips the renderer;
// `--only=cli,lab` builds just those Node bundles, and those built with them (`builtWith`: the
// lab's in-guest scripts); the lab scripts use it to stay quick.
import { build } from 'esbuild';
import { NODE_BUNDLES, bundleOptions } from './bundles.mjs';
import { build as viteBuild } from 'vite';
import { chmodSync } from 'node:fs';

const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : null;
const nodeOnly = only !== null || process.argv.includes('--node-only');

await Promise.all(
  NODE_BUNDLES.filter((e) => only === null || only.includes(e.name) || (e.builtWith && only.includes(e.builtWith))).map(async (e) => {
    await build(bundleOptions(e.name));
    if (e.executable) chmodSync(e.out, 0o755);
  }),
);
if (only !== null) process.exit(0);

// The benchmark's in-page half (npm run bench installs it before the app's scripts).
await build({
  entryPoints: ['e2e/bench/page-probes.ts'],
  outfile: 'dist/bench/page-probes.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  logLevel: 'warning',
});

if (!nodeOnly) {
  await viteBuild({ configFile: 'renderer/vite.config.mts', logLevel: 'warn' });
}
