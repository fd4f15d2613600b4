/**
 * `passthru vm` against real qemu on this machine (TCG; root for the network namespace):
 * a paused VM with a virtio NIC on a tap attached to a bridge inside a namespace the test
 * creates (qemu and the CLI run inside it through `ip netns exec`, so nothing touches the
 * host's own network), its status from QMP, resume, graceful stop falling back to force,
 * forced stop, rediscovery by fresh processes, stale pidfiles, and an early qemu failure.
 * NAT NICs use `-netdev user,restrict=on` (PASSTHRU_RESTRICT_NAT=1): no traffic leaves.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedVmMac, vmTapName } from '#shared/vm';
import { buildCli, type BuiltCli } from './testing/cli-test-support';

const isRoot = process.getuid?.() === 0;
const hasQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0;
if (!isRoot) console.warn('\n*** cli-vm.test.ts SKIPPED: the real-qemu VM tests need root (network namespace, tap devices). CI runs them as root. ***\n');

const NS = `ptvm${process.pid}`;
let cli: BuiltCli;
let dir = '';
let env: NodeJS.ProcessEnv = {};

function sh(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, env });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI inside the namespace: a fresh process every time, like a restarted app. */
function vm(...args: string[]) {
  // start and stop journal the taps they make (as `passthru history` shows them).
  const journal = args[0] === 'start' || args[0] === 'stop' ? ['--state-dir', join(dir, 'journal')] : [];
  return sh(['ip', 'netns', 'exec', NS, process.execPath, cli.path, 'vm', ...args, ...journal]);
}

function json<T = Record<string, unknown>>(r: { status: number | null; stdout: string; stderr: string }): T {
  expect(r.status, r.stderr || r.stdout).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Status {
  state: string;
  running: boolean;
  pid: number | null;
  accel: string;
  devices: { vendorId: string; deviceId: string; qdevId: string | null; mac: string | null }[];
  taps: string[];
}

describe.skipIf(!isRoot)('passthru vm with real qemu (TCG) in a network namespace', () => {
  beforeAll(async () => {
    if (!hasQemu) throw new Error('qemu-system-x86_64 is not installed: run .ci/install-system-packages.');
    cli = await buildCli();
    dir = mkdtempSync(join(tmpdir(), 'pt-vm-'));
    env = { ...process.env, PASSTHRU_CONFIG_DIR: join(dir, 'cfg'), PASSTHRU_RUNTIME_DIR: join(dir, 'run'), PASSTHRU_RESTRICT_NAT: '1', PASSTHRU_DEBUG: '' };
    for (const c of [
      ['ip', 'netns', 'add', NS],
      ['ip', 'netns', 'exec', NS, 'ip', 'link', 'add', 'br0', 'type', 'bridge'],
      ['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'br0', 'up'],
    ]) {
      const r = sh(c);
      if (r.status !== 0) throw new Error(`${c.join(' ')}: ${r.stderr}`);
    }
  }, 60_000);

  afterAll(() => {
    // Kill any qemu this test left (by its pidfile), then the namespace and files.
    for (const name of ['t1', 't2', 'bad']) {
      const pidFile = join(dir, 'run', name, 'qemu.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      const cmdline = Number.isFinite(pid) && existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.includes(pidFile)) process.kill(pid, 'SIGKILL');
    }
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    cli?.dispose();
  });

  it('creates, starts paused with a tap on the bridge, resumes, and stops (graceful falls back to force)', () => {
    const disk = join(dir, 'a,b -x.img');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    json(vm('create', 't1', '--cpus', '1', '--memory', '64', '--disk', disk, '--nic', 'bridge:br0', '--nic', 'nat', '--json'));

    const dry = vm('start', 't1', '--paused', '--dry-run', '--accel', 'tcg');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("'driver=file,filename=");
    expect(dry.stdout).toContain('a,,b -x.img');

    const started = json<{ status: Status }>(vm('start', 't1', '--paused', '--accel', 'tcg', '--json'));
    expect(started.status).toMatchObject({ state: 'prelaunch', running: true, accel: 'tcg' });
    const tap = vmTapName('t1', 0);
    expect(started.status.taps).toEqual([tap]);
    const link = json<{ master?: string; ifname: string }[]>(sh(['ip', 'netns', 'exec', NS, 'ip', '-j', 'link', 'show', 'dev', tap]));
    expect(link[0]).toMatchObject({ ifname: tap, master: 'br0' });
    // The host itself has no such tap: it lives in the namespace only.
    expect(spawnSync('ip', ['link', 'show', 'dev', tap]).status).not.toBe(0);

    const status = json<Status>(vm('status', 't1', '--json'));
    expect(status.state).toBe('prelaunch');
    const nics = status.devices.filter((d) => d.vendorId === '1af4' && (d.deviceId === '1000' || d.deviceId === '1041'));
    expect(nics.map((d) => [d.qdevId, d.mac])).toEqual([
      ['nic0', derivedVmMac('t1', 0)],
      ['nic1', derivedVmMac('t1', 1)],
    ]);

    expect(vm('start', 't1', '--accel', 'tcg').status).toBe(3); // already running
    expect(vm('resume', 't1').status).toBe(0);
    expect(json<Status>(vm('status', 't1', '--json')).state).toBe('running');
    expect(vm('pause', 't1').stdout).toContain('paused');
    expect(vm('resume', 't1').stdout).toContain('running');

    // A fresh process finds the running VM again (pidfile + QMP).
    const list = json<{ name: string; running: boolean; pid: number }[]>(vm('list', '--json'));
    expect(list).toEqual([expect.objectContaining({ name: 't1', running: true, pid: status.pid })]);
    expect(vm('delete', 't1').status).toBe(3);

    // No guest OS answers the ACPI power button: after the timeout it is forced off.
    const stop = json<{ how: string; notes: string[] }>(vm('stop', 't1', '--timeout', '2', '--json'));
    expect(stop.how).toBe('quit');
    expect(stop.notes.join(' ')).toContain('did not power off within 2 s');
    expect(existsSync(`/proc/${status.pid}`) && readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').includes('qemu')).toBe(false);
    expect(spawnSync('ip', ['netns', 'exec', NS, 'ip', 'link', 'show', 'dev', tap]).status).not.toBe(0);
    expect(json<Status>(vm('status', 't1', '--json'))).toMatchObject({ running: false, state: 'stopped' });
    // The tap was made and removed as journaled changes (the GUI's path through the helper).
    const { entries: history } = json<{ entries: { kind: string; state: string; steps: { id: string; state: string }[] }[] }>(
      sh([process.execPath, cli.path, 'history', '--json', '--state-dir', join(dir, 'journal')]),
    );
    expect(history.map((h) => [h.kind, h.state, h.steps.map((st) => st.id)])).toEqual([
      ['vm-network', 'applied', [`remove-tap-${tap}`]],
      ['vm-network', 'applied', [`create-tap-${tap}`]],
    ]);
  }, 60_000);

  it('stops with --force at once, and forgets a stale pidfile', () => {
    json(vm('create', 't2', '--memory', '64', '--nic', 'nat', '--display', 'vnc', '--json'));
    const s = json<{ status: Status & { vnc: string } }>(vm('start', 't2', '--accel', 'tcg', '--json'));
    expect(s.status.state).toBe('running');
    expect(s.status.vnc).toMatch(/^127\.0\.0\.1:59\d\d$/);
    const t0 = Date.now();
    expect(json<{ how: string }>(vm('stop', 't2', '--force', '--json')).how).toBe('quit');
    expect(Date.now() - t0).toBeLessThan(5000);

    // A pidfile naming a process that is not our qemu (pid 1) is stale: cleaned, never signalled.
    const pidFile = join(dir, 'run', 't2', 'qemu.pid');
    writeFileSync(pidFile, '1\n');
    expect(json<Status>(vm('status', 't2', '--json')).running).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(json<{ how: string }>(vm('stop', 't2', '--json')).how).toBe('not-running');
  }, 60_000);

  it('reports qemu failing early with its reason, and leaves nothing running', () => {
    const disk = join(dir, 'fake.qcow2');
    // qcow2 magic and garbage: passes our checks, qemu refuses it at start.
    writeFileSync(disk, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 99]), Buffer.alloc(4096)]));
    json(vm('create', 'bad', '--memory', '64', '--disk', disk, '--nic', 'bridge:br0', '--json'));
    const r = vm('start', 'bad', '--accel', 'tcg', '--json');
    expect(r.status).toBe(4);
    const err = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(err.error.message).toMatch(/^VM bad did not start: .*qcow2/i);
    expect(existsSync(join(dir, 'run', 'bad', 'qemu.pid'))).toBe(false);
    expect(spawnSync('ip', ['netns', 'exec', NS, 'ip', 'link', 'show', 'dev', vmTapName('bad', 0)]).status).not.toBe(0);
    expect(readFileSync(join(dir, 'run', 'bad', 'qemu.log'), 'utf8')).toMatch(/qcow2/i);
  }, 60_000);

  it('makes a --config-dir and --runtime-dir that do not exist yet; refuses a file given as one', () => {
    const cfg = join(dir, 'new', 'cfg');
    const made = json<{ created: string }>(vm('create', 'fresh', '--config-dir', cfg, '--runtime-dir', join(dir, 'new', 'run'), '--json'));
    expect(made.created).toBe(join(cfg, 'vms', 'fresh.json'));
    expect(json<{ name: string }[]>(vm('list', '--config-dir', cfg, '--json')).map((e) => e.name)).toEqual(['fresh']);
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const r = vm('list', '--config-dir', file, '--json');
    expect(r.status, r.stdout).toBe(2);
    expect((JSON.parse(r.stdout) as { error: { message: string } }).error.message).toContain('is not a directory');
  }, 60_000);

  it('rejects bad input with exit 2 and a plain sentence', () => {
    for (const args of [
      ['create', 'a b'],
      ['create', 'x', '--nic', 'passthrough:zz'],
      ['create', 'x', '--memory', 'lots'],
      ['create', 'x', '--disk', '/nonexistent.img'],
      ['start'],
      ['list', 'extra'],
      ['stop', 'x', '--paused'],
      ['status', 'nosuchvm'],
    ]) {
      const r = vm(...args, '--json');
      expect(r.status, args.join(' ')).toBe(2);
      expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('BAD_INPUT');
    }
  }, 60_000);
});
