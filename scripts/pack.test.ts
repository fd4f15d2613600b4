/**
 * The headless install: `npm pack` builds (prepack) and packs the CLI, the helper, the web UI
 * and the polkit policy, nothing else; `npm install -g` of that tarball works offline with an
 * empty cache (so nothing is fetched: every dependency is bundled into dist/), and the installed
 * `passthru` scans this host, serves the app to a browser and installs its helper into a tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe } from '../electron/serve/testing/serve-process';
import { visitLikeABrowser } from '../electron/serve/testing/serve-test-support';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'passthru-pack-'));
const prefix = join(scratch, 'prefix');
const passthru = join(prefix, 'bin/passthru');
const installed = join(prefix, 'lib/node_modules/passthru');
let files: string[] = [];

beforeAll(() => {
  const packed = spawnSync('npm', ['pack', '--pack-destination', scratch, '--no-audit', '--no-fund'], { cwd: REPO, encoding: 'utf8', timeout: 150_000 });
  expect(packed.status, `npm pack failed:\n${packed.stderr}`).toBe(0);
  const tarballs = readdirSync(scratch).filter((n) => n.endsWith('.tgz'));
  expect(tarballs).toEqual(['passthru-0.1.0.tgz']);
  const tarball = join(scratch, tarballs[0]!);
  const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  expect(listed.status, listed.stderr).toBe(0);
  files = listed.stdout.split('\n').filter(Boolean);

  // An empty cache and --offline: any package npm would want to fetch fails the install.
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--cache', join(scratch, 'cache'), '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(install.status, `npm install -g --offline failed:\n${install.stdout}${install.stderr}`).toBe(0);
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs the CLI, the helper, the web UI, the polkit policy and the docs', () => {
    for (const f of [
      'dist/cli/passthru.cjs',
      'dist/helper/passthru-helper.cjs',
      'dist/renderer/index.html',
      'build/polkit/org.passthru.policy',
      'package.json',
      'README.md',
      'LICENSE',
    ]) {
      expect(files, f).toContain(`package/${f}`);
    }
    expect(files.some((f) => /^package\/dist\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  it("leaves out Electron's bundles, the lab, the bench, node_modules and the sources", () => {
    // npm always packs package.json's "main", Electron's entry (`electron .` and electron-builder
    // read it there): that one file comes along, inert without Electron; nothing else of it does.
    expect(files.filter((f) => /^package\/dist\/(main|preload|lab|bench)\//.test(f))).toEqual(['package/dist/main/main.cjs']);
    expect(files.filter((f) => f.includes('node_modules/'))).toEqual([]);
    expect(files.filter((f) => /\.(ts|tsx|mts)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^package\/(electron|renderer|shared|e2e|scripts)\//.test(f))).toEqual([]);
  });
});

describe('npm install -g of the tarball, offline', () => {
  it('installs passthru with no dependency, and its bundles load nothing but Node built-ins', () => {
    expect(lstatSync(passthru).isSymbolicLink()).toBe(true);
    expect(realpathSync(passthru)).toBe(realpathSync(join(installed, 'dist/cli/passthru.cjs')));
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    for (const bundle of ['dist/cli/passthru.cjs', 'dist/helper/passthru-helper.cjs']) {
      const required = new Set([...readFileSync(join(installed, bundle), 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
      // ws's optional native speed-ups, loaded only if present (it falls back without them).
      const optional = new Set(['bufferutil', 'utf-8-validate']);
      expect(
        [...required].filter((r) => !builtinModules.includes(r.replace(/^node:/, '')) && !optional.has(r)),
        bundle,
      ).toEqual([]);
    }
  });

  it('`passthru scan` describes this host', () => {
    const r = spawnSync(passthru, ['scan'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^This host — kernel ${release().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  });

  it('`passthru serve` serves the packaged web UI: login, the page, its script', { timeout: 60_000 }, async () => {
    const state = join(scratch, 'serve-state');
    const serve = await spawnServe(passthru, ['--port', '0', '--state-dir', state], {
      PASSTHRU_CONFIG_DIR: join(state, 'vm-config'),
      PASSTHRU_RUNTIME_DIR: join(state, 'vm-run'),
    });
    try {
      const visit = await visitLikeABrowser(serve.url);
      expect(visit.loginStatus).toBe(303);
      expect(visit.setCookie).toHaveLength(1);
      expect(visit.pageStatus).toBe(200);
      expect(visit.html).toBe(readFileSync(join(installed, 'dist/renderer/index.html'), 'utf8'));
      const script = /<script type="module"[^>]* src="([^"]+\.js)"/.exec(visit.html)?.[1];
      expect(script).toBeDefined();
      const js = await visit.get(script!);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await js.text()).length).toBeGreaterThan(1000);
    } finally {
      serve.child.kill('SIGTERM');
      if (serve.child.exitCode === null) await new Promise((r) => serve.child.once('exit', r));
    }
  });

  it('`passthru install-helper --root DIR` installs the packaged helper, run by the Node that ran it', () => {
    const root = join(scratch, 'helper-root');
    mkdirSync(root);
    const r = spawnSync(passthru, ['install-helper', '--root', root, '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { interpreter } = JSON.parse(r.stdout) as { interpreter: string };
    const helper = join(root, '/usr/lib/passthru/passthru-helper');
    const packaged = readFileSync(join(installed, 'dist/helper/passthru-helper.cjs'), 'utf8');
    expect(readFileSync(helper, 'utf8')).toBe(packaged.replace(/^#!.*/, `#!${interpreter}`));
    expect(statSync(helper).mode & 0o7777).toBe(0o755);
    expect(statSync(join(root, '/usr/share/polkit-1/actions/org.passthru.policy')).mode & 0o7777).toBe(0o644);
    // Run by path with no PATH, as pkexec runs it: it starts, and refuses an empty request.
    const helperRun = spawnSync(helper, [], { encoding: 'utf8', input: '', env: {} });
    expect(helperRun.status).toBe(2);
    expect(JSON.parse(helperRun.stdout)).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
  });
});
