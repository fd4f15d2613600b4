/**
 * `passthru install-helper`, through the built CLI laid out as in the npm package (dist/cli,
 * dist/helper, build/polkit), writing into a tree given with --root: the helper and the policy
 * where pkexec and polkit look, with the deb's modes and owners, the helper's `#!` line naming
 * the Node that ran the command, atomically and never out of the tree through a link. Refusing
 * a user who is not root is checked in-process, with the euid faked.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleOptions } from '../../scripts/bundles.mjs';
import { HELPER_PATH } from '../host/helper/helper-protocol';
import { POLICY_PATH } from '../host/helper/install-helper';
import { REPO_ROOT } from './testing/cli-test-support';
import { main } from './main';

/** A stand-in helper: run through its installed `#!` line, it says which Node runs it. */
const STAND_IN_HELPER = '#!/usr/bin/node\nprocess.stdout.write(`helper run by ${process.execPath}\\n`);\n';

let pkg: string;
let cli: string;
let trees = 0;

beforeAll(async () => {
  pkg = mkdtempSync(join(tmpdir(), 'passthru-install-helper-'));
  cli = join(pkg, 'dist/cli/passthru.cjs');
  await build(bundleOptions('cli', { repoRoot: REPO_ROOT, outfile: cli }));
  mkdirSync(join(pkg, 'dist/helper'), { recursive: true });
  writeFileSync(join(pkg, 'dist/helper/passthru-helper.cjs'), STAND_IN_HELPER, { mode: 0o755 });
  mkdirSync(join(pkg, 'build/polkit'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'build/polkit/org.passthru.policy'), join(pkg, 'build/polkit/org.passthru.policy'));
}, 60_000);
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

/** A fresh, empty tree to install into. */
function tree(): string {
  const dir = join(pkg, `tree-${++trees}`);
  mkdirSync(dir);
  return dir;
}

/** The CLI run by this very Node, which the helper's `#!` line must then name. */
function run(args: string[], cliPath = cli) {
  const r = spawnSync(process.execPath, [cliPath, 'install-helper', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PASSTHRU_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const modeOf = (p: string) => statSync(p).mode & 0o7777;
const me = process.geteuid?.() ?? 0;

describe('passthru install-helper --root DIR', () => {
  it("installs the helper (0755, #! naming this Node) and the policy (0644) where pkexec and polkit look, owned as the deb's are", () => {
    const root = tree();
    const r = run(['--root', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const helper = join(root, HELPER_PATH);
    const policy = join(root, POLICY_PATH);
    expect(r.stdout).toContain(`${helper}  0755`);
    expect(r.stdout).toContain(`${policy}  0644`);
    expect(readFileSync(helper, 'utf8')).toBe(STAND_IN_HELPER.replace('#!/usr/bin/node', `#!${process.execPath}`));
    expect(readFileSync(policy, 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'build/polkit/org.passthru.policy'), 'utf8'));
    expect([modeOf(helper), modeOf(join(root, '/usr/lib/passthru')), modeOf(policy)]).toEqual([0o755, 0o755, 0o644]);
    // As root (CI), root:root as the deb's after-install makes them; as a user, the user's.
    for (const p of [helper, policy, join(root, '/usr/lib/passthru')]) expect([statSync(p).uid, statSync(p).gid], p).toEqual(me === 0 ? [0, 0] : [me, statSync(p).gid]);
    // Executed as pkexec would (by path, with no PATH to find node on), it runs with this Node.
    const helperRun = spawnSync(helper, [], { encoding: 'utf8', env: {} });
    expect(helperRun.stdout).toBe(`helper run by ${process.execPath}\n`);
  });

  it('replaces an older install whole, and a directory left writable by others ends 0755', () => {
    const root = tree();
    mkdirSync(join(root, '/usr/lib/passthru'), { recursive: true, mode: 0o777 });
    mkdirSync(join(root, '/usr/share/polkit-1/actions'), { recursive: true });
    writeFileSync(join(root, HELPER_PATH), '#!/usr/bin/node\nold();\n', { mode: 0o777 });
    writeFileSync(join(root, POLICY_PATH), '<old/>', { mode: 0o666 });
    expect(run(['--root', root]).status).toBe(0);
    expect(readFileSync(join(root, HELPER_PATH), 'utf8')).toContain('helper run by');
    expect([modeOf(join(root, HELPER_PATH)), modeOf(join(root, '/usr/lib/passthru')), modeOf(join(root, POLICY_PATH))]).toEqual([0o755, 0o755, 0o644]);
    // Written beside the target and renamed over it: no temporary file stays behind.
    expect(readdirSync(join(root, '/usr/lib/passthru'))).toEqual(['passthru-helper']);
    expect(readdirSync(join(root, '/usr/share/polkit-1/actions'))).toEqual(['org.passthru.policy']);
  });

  it('follows a link in the tree as chroot would, never out of the tree', () => {
    const root = tree();
    const outside = join(pkg, `outside-${trees}`);
    mkdirSync(outside);
    mkdirSync(join(root, '/usr/lib'), { recursive: true });
    // An absolute target means the tree's own path: inside the root, not this machine's.
    mkdirSync(join(root, outside), { recursive: true });
    symlinkSync(outside, join(root, '/usr/lib/passthru'));
    const r0 = run(['--root', root]);
    expect(r0.stderr).toBe('');
    expect(r0.status).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(root, outside, 'passthru-helper'))).toBe(true);

    const climbing = tree();
    mkdirSync(join(climbing, '/usr/lib'), { recursive: true });
    symlinkSync('../../../../../../../../..' + outside, join(climbing, '/usr/lib/passthru'));
    const r = run(['--root', climbing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^passthru: Refusing to write under /);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('--dry-run says what it would write and writes nothing', () => {
    const root = tree();
    const r = run(['--root', root, '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Would write \(nothing written\):/);
    expect(r.stdout).toContain(join(root, HELPER_PATH));
    expect(r.stdout).toContain(`The helper's #! line names ${process.execPath}:`);
    expect(readdirSync(root)).toEqual([]);
    const json = JSON.parse(run(['--root', root, '--dry-run', '--json']).stdout) as { wouldInstall: { path: string; mode: string }[]; interpreter: string };
    expect(json.wouldInstall.map((f) => [f.path, f.mode])).toEqual([
      [join(root, HELPER_PATH), '0755'],
      [join(root, POLICY_PATH), '0644'],
    ]);
    expect(json.interpreter).toBe(process.execPath);
  });

  it('says what to build when the package has no helper to install (exit 5)', () => {
    const bare = join(pkg, 'bare/dist/cli');
    mkdirSync(bare, { recursive: true });
    copyFileSync(cli, join(bare, 'passthru.cjs'));
    const root = tree();
    const r = run(['--root', root], join(bare, 'passthru.cjs'));
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^passthru: This copy of Passthru has no passthru-helper\.cjs to install .* run `npm run build` first; otherwise reinstall the passthru package\.\n$/);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('passthru install-helper on this machine', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses a user who is not root, naming sudo, and writes nothing (exit 2)', async () => {
    vi.spyOn(process, 'geteuid').mockReturnValue(1000);
    const installed = existsSync(HELPER_PATH);
    let stderr = '';
    const code = await main(['install-helper'], { out: () => undefined, err: (t) => void (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toBe(
      'passthru: Installing the helper writes to /usr/lib/passthru and /usr/share/polkit-1, which only root may do. Run `sudo passthru install-helper` (or add --dry-run to see what it writes).\n',
    );
    expect(existsSync(HELPER_PATH)).toBe(installed);
  });
});
