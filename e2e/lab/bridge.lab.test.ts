/**
 * `passthru bridge` and confirm-or-revert over the management NIC of a lab guest, with Debian's
 * ifupdown and bridge-utils running inside the guest against its real kernel. The NIC (set up
 * by hand at boot) is first handed to ifupdown; the guest's files are its own (tmpfs overlay).
 * The test talks to the guest over a serial port, so cutting the guest's network never cuts
 * the test off. Every verdict is read back with `ip -j`, `ifquery` and `cat` in the guest.
 *
 * Proven, one guest, each case leaving the NIC as it found it (ifupdown, static):
 * 1. static: br0 takes 10.0.2.15/24, the default route and the NIC's MAC, with STP off, no
 *    forward delay and no multicast snooping; every check passes (slirp's gateway answers ARP);
 *    `passthru confirm` keeps it (the timer says kept), ifupdown reads it back; remove +
 *    confirm gives the NIC its address and route back, the file byte for byte;
 * 2. without a confirmation, the detached timer puts it all back at the deadline;
 * 3. the same when the CLI that applied it, asking "Keep this change?" in a terminal, is killed;
 * 4. DHCP: the NIC `inet dhcp` (slirp's DHCP leases 10.0.2.15 and, with restrict=on, no router,
 *    so there is no default route to move); br0 gets the lease, is kept, and is removed again.
 * IPv6 is left out: router advertisements are off for new links, as net-setup.sh has them on the NIC.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyResult, JournalHistory } from '#shared/plan';
import { runCli } from './checks/device-state';
import { passthru } from './checks/guest-facts';
import { runs, useLab } from './checks/use-lab';
import { repoRoot } from './initramfs';

const MGMT = '0000:02:00.0';
const STATE = '/var/lib/passthru-bridge-lab';
const INTERFACES = '/etc/network/interfaces';
const WINDOW = '30';
/** Runs a command in a pseudo-terminal, answers y, and SIGKILLs it when asked to keep the change. */
const KILL_WHEN_ASKED = path.join(repoRoot(), 'e2e', 'lab', 'guest', 'kill-when-asked-to-keep.py');

/** The Debian default file, the management NIC configured as `method` (static: slirp's addressing). */
const interfacesWith = (nic: string, method: 'static' | 'dhcp'): string =>
  [
    '# interfaces(5) file used by ifup(8) and ifdown(8)',
    'auto lo',
    'iface lo inet loopback',
    '',
    'source /etc/network/interfaces.d/*',
    '',
    '# The management NIC',
    `allow-hotplug ${nic}`,
    `iface ${nic} inet ${method}`,
    ...(method === 'static' ? ['\taddress 10.0.2.15/24', '\tgateway 10.0.2.2'] : []),
    '',
  ].join('\n');

interface IpAddr {
  addr_info: { family: string; local: string; prefixlen: number; scope: string; dynamic?: boolean }[];
}

describe.runIf(runs('seed'))('passthru bridge over the management NIC, through ifupdown in the guest (seed)', () => {
  const lab = useLab('seed', 'bridge');
  let nic = '';
  let mac = '';

  const sh = async (script: string, stdin?: string): Promise<string> => (await lab().runOk(['sh', '-c', script], { stdin })).stdout;
  const ipJson = async <T>(...args: string[]): Promise<T[]> => JSON.parse((await lab().runOk(['ip', '-j', ...args])).stdout || '[]') as T[];
  const ipv4 = async (iface: string): Promise<IpAddr['addr_info']> =>
    ((await ipJson<IpAddr>('-4', 'address', 'show', 'dev', iface))[0]?.addr_info ?? []).filter((a) => a.scope === 'global');
  const addressesOf = async (iface: string): Promise<string[]> => (await ipv4(iface)).map((a) => `${a.local}/${a.prefixlen}`);
  const defaultRouteDev = async (): Promise<string | undefined> => (await ipJson<{ dev: string }>('-4', 'route', 'show', 'default'))[0]?.dev;
  const exists = async (iface: string): Promise<boolean> => (await lab().run(['ip', 'link', 'show', 'dev', iface])).code === 0;
  const interfacesFile = (): Promise<string> => sh(`cat ${INTERFACES}`);
  const cli = (...args: string[]) => runCli(lab(), ...args, '--state-dir', STATE);

  /** The management NIC handed to ifupdown: whatever configured it taken down, the file written, ifup. */
  async function configureWithIfupdown(method: 'static' | 'dhcp'): Promise<void> {
    await sh(
      `ifdown ${nic} 2>/dev/null || true
       ip -4 address flush dev ${nic}; ip -6 address flush dev ${nic} scope global
       ip -4 route flush dev ${nic}; ip -6 route flush dev ${nic}
       cat > ${INTERFACES} && ifup ${nic}`,
      interfacesWith(nic, method),
    );
  }

  /** Applied with --yes and no terminal: checked, then left waiting for a confirmation. */
  async function bridgeCommand(...args: string[]): Promise<ApplyResult> {
    const r = await cli('bridge', ...args, '--yes', '--json', '--confirm-window', WINDOW);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = r.json as ApplyResult;
    expect(result.ok).toBe(true);
    expect(result.pending).toMatchObject({ journalId: result.journalId, seconds: Number(WINDOW) });
    expect(
      result.checks?.filter((c) => !c.ok),
      JSON.stringify(result.checks),
    ).toEqual([]);
    return result;
  }

  /** The revert timer's log, once its last line says how the change ended (kept or reverted). */
  async function timerOutcome(journalId: string, waitMs: number): Promise<{ outcome: string; at: number }> {
    const end = Date.now() + waitMs;
    for (;;) {
      const log = (await lab().run(['cat', `${STATE}/${journalId}.revert.log`])).stdout.trim();
      const last = /^(\S+) change \S+: (kept|reverted)$/m.exec(log.split('\n').at(-1) ?? '');
      if (last) return { outcome: last[2]!, at: Date.parse(last[1]!) };
      if (Date.now() > end) throw new Error(`the revert timer of ${journalId} has not decided after ${waitMs} ms; its log:\n${log}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async function confirmed(journalId: string): Promise<void> {
    const kept = await cli('confirm', '--json');
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect((await timerOutcome(journalId, 10_000)).outcome).toBe('kept');
  }

  /** No bridge; the NIC holds slirp's address (and, when static, the default route); the file is `file`. */
  async function nicHoldsItAgain(file: string, address = '10.0.2.15/24'): Promise<void> {
    expect(await exists('br0')).toBe(false);
    expect(await addressesOf(nic)).toEqual([address]);
    if (file.includes('gateway')) expect(await defaultRouteDev()).toBe(nic);
    expect(await interfacesFile()).toBe(file);
    expect((await sh('ifquery --state')).trim()).toBe(`${nic}=${nic}`);
  }

  /** Reverted by the timer at the deadline (not before, not long after), everything back. */
  async function revertedAtDeadline(pending: NonNullable<ApplyResult['pending']>, file: string): Promise<void> {
    const { outcome, at } = await timerOutcome(pending.journalId, (Number(WINDOW) + 60) * 1000);
    expect(outcome).toBe('reverted');
    expect(at).toBeGreaterThanOrEqual(Date.parse(pending.deadline));
    expect(at - Date.parse(pending.deadline)).toBeLessThan(45_000); // a revert takes ~10 s under TCG
    await nicHoldsItAgain(file);
    expect((await cli('confirm', '--journal', pending.journalId, '--json')).code).toBe(3);
  }

  beforeAll(async () => {
    nic = (await sh(`ls /sys/bus/pci/devices/${MGMT}/net`)).trim();
    mac = (await sh(`cat /sys/class/net/${nic}/address`)).trim();
    // Debian's own layout, nothing in interfaces.d; ifupdown's state directory in the guest's fresh /run.
    await sh('rm -rf /etc/network/interfaces.d/* && mkdir -p /run/network && echo 0 > /proc/sys/net/ipv6/conf/default/accept_ra');
    await configureWithIfupdown('static');
    await nicHoldsItAgain(interfacesWith(nic, 'static'));
  });

  it('static: br0 takes the address, route and MAC, is kept by `passthru confirm`, and is removed again', async () => {
    const before = await interfacesFile();
    const created = await bridgeCommand('create', 'br0', '--port', nic);
    expect(created.checks?.map((c) => c.detail)).toEqual([
      'br0 is up.',
      'br0 has the address 10.0.2.15/24.',
      'The IPv4 default route leaves through br0.',
      'The gateway 10.0.2.2 answers on br0.',
    ]);
    expect(await addressesOf('br0')).toEqual(['10.0.2.15/24']);
    expect(await addressesOf(nic)).toEqual([]);
    expect(await defaultRouteDev()).toBe('br0');
    const [br] = await ipJson<{ address: string; linkinfo: { info_data: Record<string, unknown> } }>('-d', 'link', 'show', 'dev', 'br0');
    expect(br!.address).toBe(mac);
    expect(br!.linkinfo.info_data).toMatchObject({ stp_state: 0, forward_delay: 0, mcast_snooping: 0 });
    expect((await ipJson<{ master?: string }>('link', 'show', 'dev', nic))[0]!.master).toBe('br0');

    await confirmed(created.journalId);
    const query = await sh('ifquery br0');
    for (const line of [`bridge_ports: ${nic}`, `bridge_hw: ${mac}`, 'address: 10.0.2.15', 'netmask: 255.255.255.0', 'gateway: 10.0.2.2', 'bridge_stp: off', 'bridge_fd: 0'])
      expect(query).toContain(line);

    const removed = await bridgeCommand('remove', 'br0');
    expect(removed.checks?.map((c) => c.check.check)).toEqual(['link-up', 'address', 'default-route', 'gateway-answers']);
    await confirmed(removed.journalId);
    await nicHoldsItAgain(before);
  });

  it('not confirmed: the detached timer puts everything back at the deadline, the file byte for byte', async () => {
    const before = await interfacesFile();
    const created = await bridgeCommand('create', 'br0', '--port', nic);
    // The CLI has exited; only the timer is left, and the bridge carries the network meanwhile.
    expect(await defaultRouteDev()).toBe('br0');
    await revertedAtDeadline(created.pending!, before);
  });

  it('the CLI that applied it killed while asking "Keep this change?": the timer still puts it back', async () => {
    const before = await interfacesFile();
    const terminal = await lab().run(['python3', KILL_WHEN_ASKED, ...passthru('bridge', 'create', 'br0', '--port', nic, '--confirm-window', WINDOW, '--state-dir', STATE)], {
      timeoutMs: 300_000,
    });
    expect(terminal.code, terminal.stdout + terminal.stderr).toBe(0);
    expect(terminal.stdout.trimEnd()).toMatch(/Apply this plan\? \[y\/N\][\s\S]*The gateway 10\.0\.2\.2 answers on br0\.[\s\S]*Keep this change\?[^\n]*\n+killed$/);
    expect((await lab().run(['pgrep', '-f', `${passthru()[1]} bridge create`])).stdout).toBe('');
    expect(await defaultRouteDev()).toBe('br0');

    const history = (await cli('history', '--json')).json as JournalHistory;
    const waiting = history.entries.filter((e) => e.kind === 'bridge' && e.confirm?.state === 'pending');
    expect(waiting).toHaveLength(1);
    const { journalId, confirm } = waiting[0]!;
    expect((await lab().run(['pgrep', '-f', `revert-timer --journal ${journalId}`])).stdout).toMatch(/^\d+$/m);
    await revertedAtDeadline({ journalId, deadline: confirm!.deadline, seconds: Number(WINDOW) }, before);
  });

  it("DHCP: br0 gets the lease with the NIC's MAC, is kept, and is removed again", async () => {
    await configureWithIfupdown('dhcp');
    const before = await interfacesFile();
    expect(await ipv4(nic)).toMatchObject([{ local: '10.0.2.15', prefixlen: 24, dynamic: true }]);

    const created = await bridgeCommand('create', 'br0', '--port', nic);
    expect(created.checks?.map((c) => c.detail)).toEqual(['br0 is up.', 'br0 has 10.0.2.15/24.']);
    expect(await ipv4('br0')).toMatchObject([{ local: '10.0.2.15', prefixlen: 24, dynamic: true }]);
    expect(await addressesOf(nic)).toEqual([]);
    expect((await ipJson<{ address: string }>('link', 'show', 'dev', 'br0'))[0]!.address).toBe(mac);
    expect(await sh('pgrep -a dhclient')).toMatch(/ br0$/m);
    await confirmed(created.journalId);
    expect(await sh('ifquery br0')).toContain(`bridge_ports: ${nic}`);

    const removed = await bridgeCommand('remove', 'br0');
    expect(removed.checks?.map((c) => c.detail)).toEqual([`${nic} is up.`, `${nic} has 10.0.2.15/24.`]);
    await confirmed(removed.journalId);
    expect(await ipv4(nic)).toMatchObject([{ local: '10.0.2.15', prefixlen: 24, dynamic: true }]);
    await nicHoldsItAgain(before);

    await configureWithIfupdown('static'); // as the other cases found it
    await nicHoldsItAgain(interfacesWith(nic, 'static'));
  });
});
