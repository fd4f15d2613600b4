/**
 * Test-only: builds the CLI bundle exactly as scripts/build.mjs does (same esbuild options,
 * same entry) into a private temporary directory, so each test file spawns the real binary
 * without racing other test files over dist/.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../../scripts/bundles.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface BuiltCli {
  path: string;
  dispose(): void;
}

export async function buildCli(): Promise<BuiltCli> {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-cli-'));
  const outfile = join(dir, 'passthru.cjs');
  await build(bundleOptions('cli', { repoRoot: REPO_ROOT, outfile }));
  chmodSync(outfile, 0o755);
  return { path: outfile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI the way a user does (as an executable, through its shebang). `env` is
 * merged over this process's; past `timeoutMs` the CLI is killed and the run throws.
 */
export function runCli(cli: BuiltCli, args: string[], cwd = REPO_ROOT, options: { env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(cli.path, args, { cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, env: { ...process.env, PASSTHRU_DEBUG: '', ...options.env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
