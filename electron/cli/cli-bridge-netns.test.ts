/**
 * `passthru bridge` and `passthru confirm` on this machine's real kernel and real ifupdown (with
 * bridge-utils), on a host made of network namespaces whose one NIC ifupdown configures with an
 * address and a default route, the gateway in a namespace of its own (e2e/support/ifupdown-netns.ts:
 * nothing of this machine's network or configuration is touched). Root is needed (CI is root).
 *
 * Proven: the bridge takes the NIC's address, default route and MAC, with STP off, no forward
 * delay and no multicast snooping; `passthru confirm` from a fresh process keeps it and the
 * timer stands down; ifupdown re-reads what was written; remove gives the NIC its configuration
 * back; with no confirmation the detached timer — the applying process long gone — puts
 * everything back at the deadline, the file byte for byte; a gateway that stops answering
 * makes the change revert at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY, IfupdownHost, ifupdownRigMissing, NIC, NIC_ADDRESS, run, runOk, until, type Run } from '../../e2e/support/ifupdown-netns';
import { buildCli, type BuiltCli } from './testing/cli-test-support';

const missing = ifupdownRigMissing();
if (missing) console.warn(`\n*** cli-bridge-netns.test.ts SKIPPED: ${missing}. CI installs ifupdown and bridge-utils and runs as root. ***\n`);

let cli: BuiltCli;
let rig: IfupdownHost;

const passthru = (...args: string[]): Run => run(rig.onHost(process.execPath, cli.path, ...args, '--state-dir', rig.journal), 120_000);

function json<T>(r: Run): T {
  expect(r.status, r.stderr || r.stdout).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Result {
  ok: boolean;
  journalId: string;
  pending?: { journalId: string; deadline: string; seconds: number };
  checks?: { ok: boolean; detail: string }[];
}

describe.skipIf(missing !== null)('passthru bridge on a real kernel with ifupdown (network namespaces)', () => {
  beforeAll(async () => {
    cli = await buildCli();
    rig = new IfupdownHost();
    rig.up();
    expect(rig.ipv4Of(NIC)).toEqual([NIC_ADDRESS]);
    expect(rig.defaultDev()).toBe(NIC);
    expect(rig.addrGenMode(NIC)).toBe('0');
  }, 120_000);

  afterAll(() => {
    rig?.down();
    cli?.dispose();
  });

  it('bridges the NIC (its address, route and MAC on the bridge), is kept by `passthru confirm`, and is removed again', async () => {
    const mac = rig.ip<{ address: string }>('link', 'show', 'dev', NIC)[0]!.address;
    const created = json<Result>(passthru('bridge', 'create', 'br0', '--port', NIC, '--yes', '--json', '--confirm-window', '60'));
    expect(created.ok).toBe(true);
    expect(
      created.checks?.every((c) => c.ok),
      JSON.stringify(created.checks),
    ).toBe(true);
    expect(created.checks).toHaveLength(4);
    expect(created.pending?.seconds).toBe(60);

    expect(rig.ipv4Of('br0')).toEqual([NIC_ADDRESS]);
    expect(rig.ipv4Of(NIC)).toEqual([]);
    expect(rig.defaultDev()).toBe('br0');
    const br = rig.ip<{ address: string; linkinfo: { info_data: Record<string, number> } }>('-d', 'link', 'show', 'dev', 'br0')[0]!;
    expect(br.address).toBe(mac);
    expect(br.linkinfo.info_data).toMatchObject({ stp_state: 0, forward_delay: 0, mcast_snooping: 0 });
    expect(rig.ip<{ master?: string }>('link', 'show', 'dev', NIC)[0]!.master).toBe('br0');

    // Kept from a fresh process (a new connection would do the same); the timer then stands down.
    const kept = json<Result>(passthru('confirm', '--json'));
    expect(kept.ok).toBe(true);
    await until('the timer to stand down', () => / kept$/m.test(rig.timerLog(created.journalId)), 5_000);
    // ifupdown reads back what was written.
    const query = runOk(rig.onHost('ifquery', 'br0'));
    for (const line of [`bridge_ports: ${NIC}`, 'address: 10.77.0.2', 'netmask: 255.255.255.0', 'gateway: 10.77.0.1', 'bridge_stp: off', 'bridge_fd: 0'])
      expect(query).toContain(line);

    const removed = json<Result>(passthru('bridge', 'remove', 'br0', '--yes', '--json', '--confirm-window', '60'));
    expect(removed.ok).toBe(true);
    expect(json<Result>(passthru('confirm', '--json')).ok).toBe(true);
    expect(rig.exists('br0')).toBe(false);
    expect(rig.ipv4Of(NIC)).toEqual([NIC_ADDRESS]);
    expect(rig.defaultDev()).toBe(NIC);
    expect(rig.addrGenMode(NIC)).toBe('0');
  }, 240_000);

  it('without a confirmation, the detached timer puts everything back at the deadline: file byte for byte', async () => {
    const before = rig.interfaces();
    const created = json<Result>(passthru('bridge', 'create', 'br1', '--port', NIC, '--yes', '--json', '--confirm-window', '30'));
    expect(created.pending).toBeTruthy();
    // The CLI that applied it has exited: only the timer is left.
    expect(rig.defaultDev()).toBe('br1');
    await until('the timer to revert', () => / reverted$/m.test(rig.timerLog(created.journalId)), 60_000);
    expect(rig.interfaces()).toBe(before);
    expect(rig.exists('br1')).toBe(false);
    // bridge-utils turned the port's IPv6 link-local address off; putting it back turns it on.
    expect(rig.addrGenMode(NIC)).toBe('0');
    expect(rig.ipv4Of(NIC)).toEqual([NIC_ADDRESS]);
    expect(rig.defaultDev()).toBe(NIC);
    const confirm = passthru('confirm', '--journal', created.journalId, '--json');
    expect(confirm.status).toBe(3);
  }, 240_000);

  it('reverts at once when the gateway stops answering', () => {
    const before = rig.interfaces();
    rig.gatewayAnswers(false);
    try {
      const r = passthru('bridge', 'create', 'br2', '--port', NIC, '--yes', '--json', '--confirm-window', '30');
      expect(r.status, r.stdout).toBe(4);
      expect(r.stdout).toMatch(new RegExp(`${GATEWAY.replace(/\./g, '\\.')} does not answer on br2`));
      expect(rig.interfaces()).toBe(before);
      expect(rig.exists('br2')).toBe(false);
      expect(rig.ipv4Of(NIC)).toEqual([NIC_ADDRESS]);
      expect(rig.defaultDev()).toBe(NIC);
    } finally {
      rig.gatewayAnswers(true);
    }
  }, 240_000);
});
