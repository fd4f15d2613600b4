/**
 * Confirm or revert, through the whole change road, with the bridge kind on an ifupdown host:
 * the plan (what was found, the file's diff, the stack's commands, the checks), the apply that
 * leaves the change waiting, `confirm` keeping it, the revert timer putting it back (file byte
 * for byte, ifupdown's state as before) when nobody confirms, a failed check reverting at once,
 * and the one-time decision between a late confirmation and the timer. The kernel and the
 * network are a small model answering the commands the ops and checks run; the real ones are
 * in e2e/netns/bridge-confirm.test.ts and the lab.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApplyResult, Plan } from '#shared/plan';
import type { CommandRunner } from '../exec/run-command';
import { SNAPSHOT_IP_STATE_PATH } from '../snapshot-format';
import { makeTempRoot } from '../testing/fake-sysfs';
import { ChangeExecutor } from './change-executor';
import { ChangeService } from './change-service';
import type { RevertTimerJob } from './revert-timer';

const INTERFACES = `# interfaces(5) file used by ifup(8) and ifdown(8)
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

allow-hotplug eth0
iface eth0 inet static
    address 10.0.0.2/24
    gateway 10.0.0.1
    dns-nameservers 10.0.0.1
`;
const MAC = '52:54:00:12:34:56';

/** The network as ifupdown leaves it: which interfaces are up and what they hold. */
class NetModel {
  up = new Set(['lo', 'eth0']);
  gatewayAnswers = true;
  commands: string[] = [];
  holder = (): string | null => (this.up.has('br0') ? 'br0' : this.up.has('eth0') ? 'eth0' : null);

  run: CommandRunner = async (argv) => {
    const line = argv.join(' ');
    this.commands.push(line);
    const out = (stdout: string) => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 1 });
    if (line === 'ifquery --state') return out([...this.up].map((i) => `${i}=${i}\n`).join(''));
    if (argv[0] === 'ifup') return (this.up.add(argv[1]!), out(''));
    if (argv[0] === 'ifdown') return (this.up.delete(argv[1]!), out(''));
    if (argv[0] === 'ping') return out('');
    const h = this.holder();
    if (line.startsWith('ip -j link show dev ')) return out(JSON.stringify(this.up.has(argv[5]!) ? [{ operstate: 'UP', flags: ['UP', 'LOWER_UP'] }] : [{ operstate: 'DOWN' }]));
    if (line.startsWith('ip -j address show dev '))
      return out(JSON.stringify([{ addr_info: argv[5] === h ? [{ family: 'inet', local: '10.0.0.2', prefixlen: 24, scope: 'global' }] : [] }]));
    if (line === 'ip -j -4 route show default') return out(JSON.stringify(h ? [{ dst: 'default', gateway: '10.0.0.1', dev: h }] : []));
    if (line.startsWith('ip -j neigh show')) return out(JSON.stringify(this.gatewayAnswers && argv[6] === h ? [{ state: ['REACHABLE'] }] : [{ state: ['FAILED'] }]));
    throw new Error(`unexpected command: ${line}`);
  };
}

function host(options: { nm?: boolean } = {}) {
  const root = makeTempRoot('passthru-bridge-');
  const put = (p: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  };
  if (!options.nm) put('/etc/network/interfaces', INTERFACES);
  fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
  put('/sys/class/net/eth0/address', `${MAC}\n`);
  put('/sys/class/net/eth0/ifindex', '2\n');
  put('/usr/bin/ping', '');
  if (options.nm) put('/run/NetworkManager/devices/2', '[device]\nmanaged=true\n');
  // What `ip -j` printed when the plan was made (a tree has no kernel: the snapshot's capture).
  put(
    SNAPSHOT_IP_STATE_PATH,
    JSON.stringify({
      formatVersion: 1,
      address: [{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.0.0.2', prefixlen: 24, scope: 'global' }] }],
      route4: [{ dst: 'default', gateway: '10.0.0.1', dev: 'eth0' }],
      route6: [],
    }),
  );
  const net = new NetModel();
  const stateDir = makeTempRoot('passthru-bridge-journal-');
  const timers: RevertTimerJob[] = [];
  let clock = Date.parse('2026-12-07T10:00:00Z');
  const common = { root, stateDir, runCommand: net.run, writer: async () => undefined, now: () => new Date(clock) };
  const service = new ChangeService({ ...common, revertTimer: (job) => void timers.push(job), liveChecks: { budgetMs: 50, intervalMs: 1 }, sessionAddress: '10.0.0.2' });
  const timer = (id: string) => new ChangeExecutor({ ...common, caller: { uid: null }, revertTimer: null }).runRevertTimer(id);
  const interfaces = () => fs.readFileSync(path.join(root, 'etc/network/interfaces'), 'utf8');
  const advance = (ms: number) => void (clock += ms);
  return { root, net, service, timers, timer, interfaces, advance };
}

async function applyBridge(h: ReturnType<typeof host>): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await h.service.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0', confirmSeconds: 60 });
  return { plan, result: await h.service.apply(plan.id, {}) };
}

describe('bridge a NIC under confirm-or-revert (ifupdown)', () => {
  it("plans what it found, the file as a diff, ifupdown's commands and the checks", async () => {
    const h = host();
    const plan = await h.service.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' });
    expect(plan.refusal).toBeNull();
    expect(plan.detail).toMatchObject({
      kind: 'bridge',
      stack: 'ifupdown',
      port: 'eth0',
      mac: MAC,
      addressing: 'static',
      session: true,
      addresses: [{ address: '10.0.0.2/24', dynamic: false }],
    });
    expect(plan.steps.map((s) => s.shell)).toEqual([['ifdown eth0'], [expect.stringContaining('/etc/network/interfaces')], ['ifup br0']]);
    const diff = plan.steps[1]!.diffs![0]!.unifiedDiff;
    for (const line of ['+iface eth0 inet manual', '+iface br0 inet static', '+    bridge_ports eth0', `+    bridge_hw ${MAC}`, '+    bridge_stp off', '+    bridge_fd 0'])
      expect(diff).toContain(line);
    expect(plan.checks.find((c) => c.id === 'session')?.status).toBe('warn');
    const text = h.service.planText(plan);
    for (const line of [
      'network stack: ifupdown',
      `eth0: MAC ${MAC}, addressing static`,
      'address 10.0.0.2/24',
      'route default via 10.0.0.1 (ipv4)',
      'dns-nameservers 10.0.0.1',
      'this session comes through eth0: yes',
      '$ ifdown eth0',
      '+iface br0 inet static',
      '$ ifup br0',
      '  - the gateway 10.0.0.1 answers on br0',
      'Kept only if confirmed within 120 s',
    ]) {
      expect(text).toContain(line);
    }
    expect(plan.confirm).toEqual({
      seconds: 120,
      checks: [
        { check: 'link-up', iface: 'br0' },
        { check: 'address', iface: 'br0', address: '10.0.0.2/24' },
        { check: 'default-route', iface: 'br0', family: 'ipv4' },
        { check: 'gateway-answers', iface: 'br0', gateway: '10.0.0.1' },
      ],
    });
  });

  it('applies, checks, waits; a confirmation keeps it and the timer stands down', async () => {
    const h = host();
    const { result } = await applyBridge(h);
    expect(result).toMatchObject({ ok: true, pending: { seconds: 60 } });
    expect(result.checks?.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(h.timers).toEqual([{ root: h.root, stateDir: expect.any(String), journalId: result.journalId }]);
    expect(h.interfaces()).toContain('bridge_ports eth0');
    expect(h.service.entry(result.journalId)?.confirm?.state).toBe('pending');

    expect(h.service.newestPending()?.journalId).toBe(result.journalId);
    // Nothing else is changed while it waits (its revert would undo its steps under that change).
    const other = await h.service.planChange({ kind: 'bridge', action: 'create', bridge: 'br1', port: 'eth0' });
    expect(other.refusal?.message).toMatch(new RegExp(`Change ${result.journalId} \\(bridge\\) waits for a confirmation`));
    expect((await h.service.planUndo(result.journalId)).refusal).toBeNull();
    const keep = await h.service.planChange({ kind: 'confirm', journalId: result.journalId });
    expect(keep.refusal).toBeNull();
    expect((await h.service.apply(keep.id, {})).ok).toBe(true);
    expect(h.service.entry(result.journalId)?.confirm?.state).toBe('confirmed');
    h.advance(3600_000);
    expect(await h.timer(result.journalId)).toBe('kept');
    expect(h.interfaces()).toContain('bridge_ports eth0');
    // `passthru undo` means the bridge, not the confirmation.
    expect((await h.service.planUndo()).detail).toMatchObject({ kind: 'undo', reverses: result.journalId });
  });

  it('without a confirmation the timer puts everything back at the deadline, the file byte for byte', async () => {
    const h = host();
    const { result } = await applyBridge(h);
    h.advance(61_000);
    expect(await h.timer(result.journalId)).toBe('reverted');
    expect(h.interfaces()).toBe(INTERFACES);
    expect([...h.net.up].sort()).toEqual(['eth0', 'lo']);
    expect(h.net.commands.filter((c) => /^if(up|down) /.test(c))).toEqual(['ifdown eth0', 'ifup br0', 'ifdown br0', 'ifup eth0']);
    expect(h.service.entry(result.journalId)).toMatchObject({ state: 'rolled-back', confirm: { state: 'reverted', reason: 'No confirmation came within 60 s.' } });
    // Too late to keep it; and the timer, started again, has nothing left to do.
    expect((await h.service.planChange({ kind: 'confirm', journalId: result.journalId })).refusal).not.toBeNull();
    expect(await h.timer(result.journalId)).toBe('not-pending');
  });

  it('a confirmation and the timer never both win', async () => {
    const h = host();
    const { result } = await applyBridge(h);
    const keep = await h.service.planChange({ kind: 'confirm', journalId: result.journalId });
    // The timer decides first (its deadline passed a moment ago), then the confirmation arrives.
    expect(h.service.store.claimDecision(result.journalId, 'revert')).toBe(true);
    const late = await h.service.apply(keep.id, {});
    expect(late).toMatchObject({ ok: false, error: { message: expect.stringMatching(/being put back/) } });
    expect(h.service.entry(result.journalId)?.confirm?.state).toBe('pending');
    expect(h.service.store.claimDecision(result.journalId, 'keep')).toBe(false);
  });

  it('a failed check puts it back at once, and nothing can keep it after', async () => {
    const h = host();
    h.net.gatewayAnswers = false;
    const { result } = await applyBridge(h);
    expect(result).toMatchObject({ ok: false, rolledBack: true });
    expect(result.error?.message).toMatch(/10\.0\.0\.1 does not answer on br0.*put back/);
    expect(h.interfaces()).toBe(INTERFACES);
    expect([...h.net.up].sort()).toEqual(['eth0', 'lo']);
    expect(h.service.entry(result.journalId)).toMatchObject({ state: 'rolled-back', confirm: { state: 'reverted' } });
    const keep = await h.service.planChange({ kind: 'confirm', journalId: result.journalId });
    expect(keep.refusal?.message).toMatch(/rolled-back|put back/);
  });

  it('puts the change back at once when its timer cannot be started', async () => {
    const h = host();
    const service = new ChangeService({
      root: h.root,
      stateDir: makeTempRoot(),
      runCommand: h.net.run,
      writer: async () => undefined,
      revertTimer: () => {
        throw new Error('no such program');
      },
      liveChecks: { budgetMs: 50, intervalMs: 1 },
    });
    const plan = await service.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' });
    const result = await service.apply(plan.id, {});
    expect(result).toMatchObject({ ok: false, rolledBack: true, error: { message: expect.stringMatching(/timer that puts it back could not be started \(no such program\)/) } });
    expect(h.interfaces()).toBe(INTERFACES);
    expect([...h.net.up].sort()).toEqual(['eth0', 'lo']);
  });

  it('refuses a stanza in a file Passthru does not write (sourced from elsewhere), before anything is applied', async () => {
    const h = host();
    fs.writeFileSync(path.join(h.root, 'etc/network/interfaces'), 'source /etc/network/extra/eth0\n');
    fs.mkdirSync(path.join(h.root, 'etc/network/extra'));
    fs.writeFileSync(path.join(h.root, 'etc/network/extra/eth0'), 'iface eth0 inet static\n    address 10.0.0.2/24\n');
    const plan = await h.service.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' });
    expect(plan.refusal?.message).toMatch(/stanza is in \/etc\/network\/extra\/eth0, which Passthru does not write/);
    expect(plan.steps).toEqual([]);
  });

  it('refuses a NIC NetworkManager manages, saying so, and a host with no revert timer (but not a caller whose helper has one)', async () => {
    const nm = host({ nm: true });
    const plan = await nm.service.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' });
    expect(plan.refusal?.message).toMatch(/NetworkManager/);
    expect(plan.steps).toEqual([]);

    const h = host();
    // Through the helper, the helper starts the timer: the caller's side plans without one.
    const viaHelper = new ChangeService({ root: h.root, stateDir: makeTempRoot(), inProcess: false, helperArgv: ['/bin/false'], runCommand: h.net.run });
    expect((await viaHelper.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' })).refusal).toBeNull();
    const noTimer = new ChangeService({ root: h.root, stateDir: makeTempRoot(), runCommand: h.net.run, writer: async () => undefined, revertTimer: null });
    const refused = await noTimer.planChange({ kind: 'bridge', action: 'create', bridge: 'br0', port: 'eth0' });
    expect(refused.refusal).toMatchObject({ code: 'ENVIRONMENT', message: expect.stringMatching(/no timer/) });
  });
});
