// Builds every part of the app into dist/: the Node-side bundles with esbuild (main, preload,
// CLI, test bridge, lab runner) and the renderer with Vite. `--node-only` skips the renderer;
// `--only=cli,lab` builds just those Node bundles (the lab scripts use it to stay quick).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chmodSync } from 'node:fs';

const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : null;
const nodeOnly = only !== null || process.argv.includes('--node-only');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron'],
};

const entries = [
  { name: 'main', in: 'electron/main/main.ts', out: 'dist/main/main.cjs' },
  // Sandboxed preloads can only require a few built-ins, so everything is bundled in.
  { name: 'preload', in: 'electron/preload/preload.ts', out: 'dist/preload/preload.cjs' },
  // Minified: every `passthru` run compiles the whole bundle before doing anything (≈1.1 MB,
  // mostly zod), and V8 parses 40% fewer bytes ≈10 ms faster. Errors carry their own names
  // (no code reads a function's .name); the source map is next to it (node --enable-source-maps).
  { name: 'cli', in: 'electron/cli/passthru.ts', out: 'dist/cli/passthru.cjs', banner: '#!/usr/bin/env node', executable: true, minify: true },
  { name: 'bridge', in: 'e2e/bridge/server.ts', out: 'dist/bridge/server.cjs' },
  { name: 'lab', in: 'e2e/lab/lab.ts', out: 'dist/lab/lab.cjs', banner: '#!/usr/bin/env node', executable: true },
  // `npm run bench`; Playwright stays a package of its own (it finds its driver files at run time).
  { name: 'bench', in: 'e2e/bench/bench.ts', out: 'dist/bench/bench.cjs', external: ['@playwright/test', 'playwright-core'] },
  // Run as root by pkexec (installed as /usr/lib/passthru/passthru-helper by the deb). pkexec
  // clears PATH, and the deb depends on Debian's nodejs (>= 18, bookworm ships 18.19), so the
  // interpreter is named absolutely and the bundle targets node18.
  {
    name: 'helper',
    in: 'electron/host/helper/passthru-helper.ts',
    out: 'dist/helper/passthru-helper.cjs',
    banner: '#!/usr/bin/node',
    target: 'node18',
    executable: true,
  },
];

await Promise.all(
  entries
    .filter((e) => only === null || only.includes(e.name))
    .map(async (e) => {
      await build({
        ...common,
        target: e.target ?? common.target,
        external: [...common.external, ...(e.external ?? [])],
        minify: e.minify ?? false,
        entryPoints: [e.in],
        outfile: e.out,
        banner: e.banner ? { js: e.banner } : undefined,
      });
      if (e.executable) chmodSync(e.out, 0o755);
    }),
);
if (only !== null) process.exit(0);

// The test bridge's browser half: implements window.passthru over a WebSocket.
await build({
  entryPoints: ['e2e/bridge/client.ts'],
  outfile: 'dist/bridge/client.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  logLevel: 'warning',
});

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
