// The esbuild bundles of the app, in one place: scripts/build.mjs builds them into dist/, and
// tests that need a bundle of their own (the CLI, `passthru serve` with it, the helper) build the same
// entry with the same options into a temporary directory, so a test never runs code bundled
// differently from what ships.

/** Options every Node-side bundle shares. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron'],
};

export const NODE_BUNDLES = [
  { name: 'main', in: 'electron/main/main.ts', out: 'dist/main/main.cjs' },
  // Sandboxed preloads can only require a few built-ins, so everything is bundled in.
  { name: 'preload', in: 'electron/preload/preload.ts', out: 'dist/preload/preload.cjs' },
  // Minified: every `passthru` run compiles the whole bundle before doing anything (≈1.1 MB,
  // mostly zod), and V8 parses 40% fewer bytes ≈10 ms faster. Errors carry their own names
  // (no code reads a function's .name); the source map is next to it (node --enable-source-maps).
  // `passthru serve` serves the renderer built next to it, dist/cli/../renderer.
  { name: 'cli', in: 'electron/cli/passthru.ts', out: 'dist/cli/passthru.cjs', banner: '#!/usr/bin/env node', executable: true, minify: true },
  { name: 'lab', in: 'e2e/lab/lab.ts', out: 'dist/lab/lab.cjs', banner: '#!/usr/bin/env node', executable: true },
  // Run inside lab guests by e2e/lab/change-events.lab.test.ts; `builtWith`: `--only=lab` builds it too.
  { name: 'lab-watch', in: 'e2e/lab/guest/watch-changes.ts', out: 'dist/lab/watch-changes.cjs', builtWith: 'lab' },
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

/**
 * The esbuild options of bundle `name`, with its entry resolved under `repoRoot` and written to
 * `outfile` (default: its place in dist/). `overrides` are for tests (e.g. `write: false`).
 */
export function bundleOptions(name, { repoRoot = '.', outfile, ...overrides } = {}) {
  const e = NODE_BUNDLES.find((b) => b.name === name);
  if (!e) throw new Error(`There is no bundle named ${name}.`);
  return {
    ...COMMON,
    target: e.target ?? COMMON.target,
    external: [...COMMON.external, ...(e.external ?? [])],
    minify: e.minify ?? false,
    entryPoints: [`${repoRoot}/${e.in}`],
    outfile: outfile ?? `${repoRoot}/${e.out}`,
    banner: e.banner ? { js: e.banner } : undefined,
    ...overrides,
  };
}
