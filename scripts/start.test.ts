/**
 * `npm start` (scripts/start.mjs): where Electron's runtime is, or why it is missing
 * (scripts/electron-runtime.mjs), and, from a fresh clone whose electron package has no runtime
 * (as on a machine where its download failed), the app served to a browser instead of a failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVING_LINE } from '../electron/serve/testing/serve-process';
import { visitLikeABrowser } from '../electron/serve/testing/serve-test-support';
import { electronExecutable, electronPackageDir } from './electron-runtime.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'passthru-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
/** A fake electron package: its package.json, and path.txt and the executable when given. */
function fakeElectron(files: { pathTxt?: string; binary?: string } = {}): string {
  const dir = join(scratch, `fake-${++dirs}`, 'node_modules/electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"electron","version":"45.4.1","main":"index.js"}\n');
  // Electron's own index.js downloads on require: the decision must never load it.
  writeFileSync(join(dir, 'index.js'), 'throw new Error("the electron package was loaded");\n');
  if (files.pathTxt !== undefined) writeFileSync(join(dir, 'path.txt'), files.pathTxt);
  if (files.binary !== undefined) {
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist', files.binary), '');
  }
  return dir;
}

describe("where Electron's runtime is", () => {
  it('is the executable path.txt names under dist/, when it exists', () => {
    const dir = fakeElectron({ pathTxt: 'electron', binary: 'electron' });
    expect(electronExecutable(dir, {})).toEqual({ path: join(dir, 'dist/electron') });
  });

  it('is missing when path.txt is (the download failed or was skipped)', () => {
    const dir = fakeElectron();
    expect(electronExecutable(dir, {})).toEqual({ path: null, reason: `${join(dir, 'path.txt')} is missing: its download failed or was skipped` });
  });

  it('is missing when path.txt names an executable that is not there', () => {
    const dir = fakeElectron({ pathTxt: 'electron' });
    expect(electronExecutable(dir, {})).toMatchObject({ path: null, reason: expect.stringContaining(`${join(dir, 'dist/electron')} does not exist`) });
  });

  it('follows ELECTRON_OVERRIDE_DIST_PATH as Electron does', () => {
    const dir = fakeElectron({ pathTxt: 'electron' });
    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    expect(electronExecutable(dir, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toMatchObject({ path: null });
    writeFileSync(join(elsewhere, 'electron'), '');
    expect(electronExecutable(dir, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toEqual({ path: join(elsewhere, 'electron') });
  });

  it('is missing, with npm install as the remedy, when the package does not resolve', () => {
    expect(electronPackageDir(scratch)).toBeNull();
    expect(electronExecutable(null, {})).toMatchObject({ path: null, reason: expect.stringContaining('npm install') });
  });

  it('finds the package a project would load, without loading it', () => {
    const dir = fakeElectron();
    const project = join(dir, '../..');
    writeFileSync(join(project, 'package.json'), '{"name":"project"}\n');
    expect(electronPackageDir(project)).toBe(dir);
  });
});

/**
 * A node_modules for a clone: this checkout's packages, linked, except electron, copied without
 * its runtime (no path.txt, no dist/), whether or not this machine has downloaded it.
 */
function nodeModulesWithoutElectronRuntime(clone: string): void {
  const target = join(clone, 'node_modules');
  mkdirSync(target);
  // .vite and friends are caches the build writes to: the clone gets its own.
  for (const name of readdirSync(join(REPO, 'node_modules')).filter((n) => n !== 'electron' && !n.startsWith('.vite') && n !== '.cache' && n !== '.package-lock.json')) {
    symlinkSync(join(REPO, 'node_modules', name), join(target, name));
  }
  cpSync(join(REPO, 'node_modules/electron'), join(target, 'electron'), {
    recursive: true,
    filter: (source) => !(basename(source) === 'path.txt' || source === join(REPO, 'node_modules/electron/dist')),
  });
}

/** Every process of the group has exited (kill(-pgid, 0) finds none), or the time ran out. */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
  }
  return false;
}

describe('npm start from a fresh clone, where Electron has no runtime', () => {
  it('says why and how to get the window, then serves the app to a browser until SIGTERM', { timeout: 180_000 }, async () => {
    const head = spawnSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const clone = join(scratch, 'clone');
    const cloned = spawnSync('git', ['clone', '--quiet', REPO, clone], { encoding: 'utf8' });
    expect(cloned.status, cloned.stderr).toBe(0);
    expect(spawnSync('git', ['-C', clone, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim()).toBe(head);
    nodeModulesWithoutElectronRuntime(clone);
    expect(electronExecutable(electronPackageDir(clone), {}).path, 'the clone must have electron without its runtime').toBeNull();

    const state = join(scratch, 'state');
    // Its own process group, so the whole tree (npm, the shell, start.mjs, serve) is signalled and checked.
    const npm = spawn('npm', ['start', '--', '--port', '0', '--state-dir', state], {
      cwd: clone,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true', PASSTHRU_CONFIG_DIR: join(state, 'vm-config'), PASSTHRU_RUNTIME_DIR: join(state, 'vm-run'), PASSTHRU_RESTRICT_NAT: '1' },
    });
    let stdout = '';
    let stderr = '';
    npm.stdout.on('data', (d) => (stdout += String(d)));
    npm.stderr.on('data', (d) => (stderr += String(d)));
    const pgid = npm.pid!;
    let gone: boolean;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start printed no address in 120 s.\nstdout: ${stdout}\nstderr: ${stderr}`)), 120_000);
        const check = () => {
          const line = SERVING_LINE.exec(stdout);
          if (line && /Electron's runtime is not installed/.test(stderr)) {
            clearTimeout(timer);
            resolve(line[1]!);
          }
        };
        npm.stdout.on('data', check);
        npm.stderr.on('data', check);
        npm.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`npm start exited with ${code}.\nstdout: ${stdout}\nstderr: ${stderr}`));
        });
      });
      expect(stderr).toMatch(
        /^npm start: Electron's runtime is not installed \(.*path\.txt is missing: its download failed or was skipped\), so no window can open; get it with `node node_modules\/electron\/install\.js`.*Starting `passthru serve` instead/m,
      );

      const visit = await visitLikeABrowser(url);
      expect(visit.loginStatus).toBe(303);
      expect(visit.setCookie).toHaveLength(1);
      expect(visit.pageStatus).toBe(200);
      expect(visit.contentType).toMatch(/^text\/html/);
      expect(visit.html).toMatch(/<script type="module"[^>]* src="[^"]+\.js"/);
    } finally {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // Already gone: the assertions above say why.
      }
      gone = await groupGone(pgid, 15_000);
      if (!gone) process.kill(-pgid, 'SIGKILL');
    }
    expect(gone, `npm start left processes running after SIGTERM:\n${stderr}`).toBe(true);
  });
});
