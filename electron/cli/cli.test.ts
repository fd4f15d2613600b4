import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli, runCli, REPO_ROOT, type BuiltCli } from './testing/cli-test-support';
import { makeTempRoot } from '../host/testing/network-test-tree';
import { writeFakeHost } from '../host/testing/scan-test-host';
import { checkScanContract } from '../host/scan-contract';
import type { HostScan } from '#shared/model';

let cli: BuiltCli;
let tmp: string;
let fakeRoot: string;

beforeAll(async () => {
  cli = await buildCli();
  tmp = makeTempRoot('passthru-cli-test-');
  fakeRoot = join(tmp, 'fake-host');
  mkdirSync(fakeRoot);
  writeFakeHost(fakeRoot);
}, 60_000);

afterAll(() => {
  cli?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A usage/refusal error on stderr: one line naming the problem, then the remedy. */
function expectPlainError(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(/^passthru: .+\n$/);
  expect(stderr).toMatch(pattern);
  expect(stderr).toMatch(/See `passthru.*--help`|Check the path|Choose|Point --root/);
}

function expectJsonError(stdout: string, code: string): { code: string; message: string; remedy: string | null } {
  const parsed = JSON.parse(stdout) as { error: { code: string; message: string; remedy: string | null } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'remedy']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/\.$/);
  return parsed.error;
}

describe('passthru (built binary): usage and exit codes', () => {
  it('--help prints the commands and exit codes, exit 0', () => {
    const r = runCli(cli, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('passthru scan [--json] [--root DIR]');
    expect(r.stdout).toContain('passthru snapshot DIR [--root SRC] [--json]');
    expect(r.stdout).toMatch(/Exit codes: 0 done; 2 bad input/);
  });

  it('--version prints package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = runCli(cli, ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('no command: usage on stderr, exit 2', () => {
    const r = runCli(cli, []);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage:');
  });

  it('scan --help, exit 0', () => {
    const r = runCli(cli, ['scan', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: passthru scan [--json] [--root DIR]');
  });

  it('unknown command, exit 2', () => {
    const r = runCli(cli, ['frobnicate']);
    expect(r.status).toBe(2);
    expectPlainError(r.stderr, /Unknown command 'frobnicate'\./);
  });

  it('unknown flag, exit 2, nothing on stdout', () => {
    const r = runCli(cli, ['scan', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expectPlainError(r.stderr, /Unknown option '--bogus'\./);
  });

  it('unknown flag with --json: the error as JSON on stdout, exit 2', () => {
    const r = runCli(cli, ['scan', '--json', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('');
    const e = expectJsonError(r.stdout, 'BAD_INPUT');
    expect(e.message).toContain('--bogus');
    expect(e.remedy).toContain('passthru scan --help');
  });

  it('--root that does not exist, exit 2 (also as JSON)', () => {
    const missing = join(tmp, 'no-such-dir');
    const r = runCli(cli, ['scan', '--root', missing]);
    expect(r.status).toBe(2);
    expectPlainError(r.stderr, /does not exist/);
    const j = runCli(cli, ['scan', '--json', '--root', missing]);
    expect(j.status).toBe(2);
    expect(expectJsonError(j.stdout, 'BAD_INPUT').message).toContain(missing);
  });

  it('--root that is a file or holds no host, exit 2', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    expect(runCli(cli, ['scan', '--root', file]).status).toBe(2);
    const empty = join(tmp, 'empty-root');
    mkdirSync(empty);
    const r = runCli(cli, ['scan', '--root', empty]);
    expect(r.status).toBe(2);
    expectPlainError(r.stderr, /neither a host root nor a Passthru snapshot/);
  });

  it('--root without its value, and extra arguments, exit 2', () => {
    expect(runCli(cli, ['scan', '--root']).status).toBe(2);
    expect(runCli(cli, ['scan', 'extra']).status).toBe(2);
    expect(runCli(cli, ['snapshot']).status).toBe(2);
    expect(runCli(cli, ['snapshot', join(tmp, 'a'), join(tmp, 'b')]).status).toBe(2);
  });
});

describe('passthru scan on a fake host', () => {
  it('--json prints one object with every contract field', () => {
    const r = runCli(cli, ['scan', '--json', '--root', fakeRoot]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const scan = JSON.parse(r.stdout) as HostScan;
    expect(checkScanContract(scan)).toEqual([]);
    expect(scan.source).toMatchObject({ kind: 'snapshot', root: fakeRoot, capturedAt: null });
    const pf = scan.devices.find((d) => d.address === '0000:01:00.0');
    expect(pf).toMatchObject({ vendorId: '8086', deviceId: '10c9', driver: 'igb', interfaces: ['enp1s0f0'] });
    expect(pf?.sriov).toMatchObject({ totalVfs: 7, numVfs: 2, vfs: ['0000:01:10.0', '0000:01:10.2'] });
    expect(scan.interfaces.find((i) => i.name === 'enp1s0f0')).toMatchObject({ management: true, master: 'br0' });
  });

  it('prints a readable summary: readiness, lspci-like devices, groups, interfaces', () => {
    const r = runCli(cli, ['scan', '--root', fakeRoot]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Host tree at .* — kernel 6\.1\.0-passthru-test$/m);
    expect(r.stdout).toMatch(/^Readiness$/m);
    expect(r.stdout).toMatch(/^ {2}(PASS|WARN|FAIL) {2}/m);
    expect(r.stdout).toMatch(/^ {2}0000:01:00\.0 +Ethernet controller \[0200\] +8086:10c9 +igb +1 +Intel Corporation 82576 Gigabit Network Connection \(rev 01\) \[enp1s0f0\]/m);
    expect(r.stdout).toMatch(
      /^ {2}1 +blocked +0000:00:01\.0 0000:01:00\.0 0000:01:00\.1 +0000:01:00\.0 is needed by this host: its enp1s0f0 is a port of br0, which carries the host's default route\./m,
    );
    expect(r.stdout).toMatch(/^ {2}enp1s0f0 +physical .* MANAGEMENT; port of br0 /m);
    expect(r.stdout).toMatch(/^ {2}br0 +bridge .* MANAGEMENT \(default v4\); ports enp1s0f0 +192\.168\.1\.10\/24/m);
  });
});

describe('passthru snapshot', () => {
  it('round-trips: scanning the snapshot gives the scan of its source, except `source`', () => {
    const dest = join(tmp, 'snap-fake');
    const s = runCli(cli, ['snapshot', dest, '--root', fakeRoot]);
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    expect(s.stdout).toContain(`written to ${dest}`);
    const a = JSON.parse(runCli(cli, ['scan', '--json', '--root', fakeRoot]).stdout) as HostScan;
    const b = JSON.parse(runCli(cli, ['scan', '--json', '--root', dest]).stdout) as HostScan;
    expect(b.source).toMatchObject({ kind: 'snapshot', root: dest, hostname: 'fakehost' });
    expect(b.source.capturedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect({ ...b, source: null }).toEqual({ ...a, source: null });
  });

  it('--json prints the manifest', () => {
    const dest = join(tmp, 'snap-json');
    const r = runCli(cli, ['snapshot', '--json', dest, '--root', fakeRoot]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { snapshot: { dir: string; manifest: Record<string, unknown>; mismatches: string[] } };
    expect(out.snapshot.dir).toBe(dest);
    expect(out.snapshot.mismatches).toEqual([]);
    expect(out.snapshot.manifest).toMatchObject({ format: 'passthru-snapshot', hostname: 'fakehost', kernel: '6.1.0-passthru-test', ipState: 'iproute2' });
  });

  it('refuses a non-empty directory and leaves it untouched, exit 2', () => {
    const dest = join(tmp, 'occupied');
    mkdirSync(dest);
    writeFileSync(join(dest, 'precious.txt'), 'keep me');
    const r = runCli(cli, ['snapshot', dest, '--root', fakeRoot]);
    expect(r.status).toBe(2);
    expectPlainError(r.stderr, /is not empty/);
    expect(readFileSync(join(dest, 'precious.txt'), 'utf8')).toBe('keep me');
    const j = runCli(cli, ['snapshot', '--json', dest, '--root', fakeRoot]);
    expect(j.status).toBe(2);
    expectJsonError(j.stdout, 'BAD_INPUT');
  });

  it('refuses a --root that does not exist, exit 2', () => {
    const r = runCli(cli, ['snapshot', join(tmp, 'never'), '--root', join(tmp, 'nope')]);
    expect(r.status).toBe(2);
    expectPlainError(r.stderr, /does not exist/);
  });
});
