/**
 * A host whose one NIC ifupdown configures, made of network namespaces on this machine (root):
 * the "host" namespace holds the NIC (one end of a veth pair) with an address and a default
 * route; the other end, in a second namespace, is the gateway. ifupdown's files and state are
 * the rig's own, bind-mounted over /etc/network and /run/network in a mount namespace of each
 * command run "on the host" ({@link IfupdownHost.onHost}), so nothing of this machine's network
 * or configuration is touched. Used by the CLI's bridge test and the bridge wizard's GUI spec.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NIC = 'ptnic0';
export const NIC_ADDRESS = '10.77.0.2/24';
export const GATEWAY = '10.77.0.1';

export const INTERFACES = `# interfaces(5) file used by ifup(8) and ifdown(8)
auto lo
iface lo inet loopback

# The management NIC
allow-hotplug ${NIC}
iface ${NIC} inet static
\taddress ${NIC_ADDRESS}
\tgateway ${GATEWAY}
`;

/** Why this machine cannot make the rig, or null when it can. */
export function ifupdownRigMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need it)';
  if (!existsSync('/sbin/ifup') || !existsSync('/lib/bridge-utils/ifupdown.sh')) return 'ifupdown or bridge-utils is not installed';
  return null;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(argv: readonly string[], timeoutMs = 60_000): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PASSTHRU_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runOk(argv: readonly string[]): string {
  const r = run(argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export class IfupdownHost {
  readonly dir = mkdtempSync(join(tmpdir(), 'pt-ifupdown-'));
  readonly etc = join(this.dir, 'etc-network');
  readonly state = join(this.dir, 'run-network');
  readonly journal = join(this.dir, 'journal');

  constructor(
    readonly host = `ptbrh${process.pid}`,
    readonly gateway = `ptbrg${process.pid}`,
  ) {}

  /** Makes the namespaces, the veth pair and the gateway, then `ifup`s the NIC from the rig's file. */
  up(): void {
    // ifupdown's hook scripts (bridge-utils' among them) come along; only the interfaces file is the rig's.
    cpSync('/etc/network', this.etc, { recursive: true });
    rmSync(join(this.etc, 'interfaces.d'), { recursive: true, force: true });
    mkdirSync(join(this.etc, 'interfaces.d'));
    writeFileSync(join(this.etc, 'interfaces'), INTERFACES);
    mkdirSync(this.state);
    mkdirSync('/run/network', { recursive: true });
    for (const c of [
      ['ip', 'netns', 'add', this.host],
      ['ip', 'netns', 'add', this.gateway],
      ['ip', 'link', 'add', NIC, 'netns', this.host, 'type', 'veth', 'peer', 'name', 'gw0', 'netns', this.gateway],
      ['ip', '-n', this.gateway, 'address', 'add', `${GATEWAY}/24`, 'dev', 'gw0'],
      ['ip', '-n', this.gateway, 'link', 'set', 'gw0', 'up'],
      ['ip', '-n', this.host, 'link', 'set', 'lo', 'up'],
      // No router advertisements or DAD in what the checks read; IPv6 itself stays on, since the
      // NIC's link-local address is part of what taking a bridge down must give back.
      [
        'ip',
        'netns',
        'exec',
        this.host,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_ra=0',
        'net.ipv6.conf.default.accept_ra=0',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      ],
    ]) {
      runOk(c);
    }
    runOk(this.onHost('ifup', NIC));
  }

  down(): void {
    run(['ip', 'netns', 'del', this.host]);
    run(['ip', 'netns', 'del', this.gateway]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The argv that runs a command on the rig's host: its namespace, with ifupdown's files and state. */
  onHost(...argv: string[]): string[] {
    return [
      'ip',
      'netns',
      'exec',
      this.host,
      'unshare',
      '--mount',
      '--',
      'sh',
      '-c',
      'mount --bind "$1" /etc/network && mount --bind "$2" /run/network && shift 2 && exec "$@"',
      'sh',
      this.etc,
      this.state,
      ...argv,
    ];
  }

  ip<T = Record<string, unknown>>(...args: string[]): T[] {
    return JSON.parse(runOk(['ip', '-n', this.host, '-j', ...args]) || '[]') as T[];
  }

  ipv4Of(iface: string): string[] {
    const [link] = this.ip<{ addr_info: { family: string; local: string; prefixlen: number }[] }>('address', 'show', 'dev', iface);
    return (link?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  }

  defaultDev(): string | undefined {
    return this.ip<{ dev: string }>('-4', 'route', 'show', 'default')[0]?.dev;
  }

  /** How the kernel makes the interface's IPv6 link-local address (0 eui64, 1 none, …). */
  addrGenMode(iface: string): string {
    return runOk(['ip', 'netns', 'exec', this.host, 'cat', `/proc/sys/net/ipv6/conf/${iface}/addr_gen_mode`]).trim();
  }

  exists(iface: string): boolean {
    return run(['ip', '-n', this.host, 'link', 'show', 'dev', iface]).status === 0;
  }

  interfaces(): string {
    return readFileSync(join(this.etc, 'interfaces'), 'utf8');
  }

  /** The revert timer's log for a change (its last line says how it ended), or ''. */
  timerLog(journalId: string): string {
    const file = join(this.journal, `${journalId}.revert.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** The gateway stops answering (its address removed), or answers again. */
  gatewayAnswers(on: boolean): void {
    runOk(['ip', '-n', this.gateway, 'address', on ? 'add' : 'flush', ...(on ? [`${GATEWAY}/24`] : []), 'dev', 'gw0']);
  }
}

export async function until(what: string, test: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
