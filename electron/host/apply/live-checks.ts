/**
 * The checks of confirm-or-revert, run from the host's side once a change's steps are done:
 * is the interface up, does it hold the address, does the default route leave through it, does
 * the gateway answer. Each is read back from iproute2's JSON (and one ping), and retried for a
 * while — a DHCP lease or a bridge's first forwarding state take seconds — but only until a
 * shared budget runs out, so a broken network is reported (and reverted) in bounded time.
 */
import { describeLiveCheck, type LiveCheck, type LiveCheckResult } from '#shared/confirm-window';
import { runIn, type OpContext } from '../ops/op-context';

export interface LiveCheckOptions {
  /** How long all the checks together may wait for the network to settle. */
  budgetMs?: number;
  /** Between two attempts of a check that does not hold yet. */
  intervalMs?: number;
  /** Called as each check settles (the CLI prints it). */
  onResult?: (r: LiveCheckResult) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const DEFAULT_BUDGET_MS = 45_000;

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
}
interface IpLinkJson {
  operstate?: string;
  flags?: string[];
  addr_info?: IpAddrInfo[];
}
interface IpRouteJson {
  dev?: string;
  nexthops?: { dev?: string }[];
}
interface IpNeighJson {
  state?: string[];
}

async function ipJson<T>(ctx: OpContext, args: string[]): Promise<T[]> {
  const r = await runIn(ctx, ['ip', '-j', ...args], 'kernel', { timeoutMs: 5_000 });
  const parsed: unknown = JSON.parse(r.stdout || '[]');
  return Array.isArray(parsed) ? (parsed as T[]) : [];
}

/** What a check that holds found, where that says more than the check's own words. */
const lastFound = new WeakMap<LiveCheck, string>();

/** One attempt: null when the check holds, else what was found instead. */
async function attempt(c: LiveCheck, ctx: OpContext): Promise<string | null> {
  switch (c.check) {
    case 'link-up': {
      const [link] = await ipJson<IpLinkJson>(ctx, ['link', 'show', 'dev', c.iface]);
      if (!link) return `${c.iface} does not exist.`;
      const up = link.operstate === 'UP' || (link.operstate === 'UNKNOWN' && (link.flags ?? []).includes('LOWER_UP'));
      return up ? null : `${c.iface} is ${(link.operstate ?? 'unknown').toLowerCase()}.`;
    }
    case 'address':
    case 'any-address': {
      const [link] = await ipJson<IpLinkJson>(ctx, ['address', 'show', 'dev', c.iface]);
      const addrs = (link?.addr_info ?? []).filter((a) => a.scope === 'global' || a.scope === undefined);
      if (c.check === 'address') return addrs.some((a) => `${a.local}/${a.prefixlen}` === c.address) ? null : `${c.iface} does not hold ${c.address}.`;
      const family = c.family === 'ipv4' ? 'inet' : 'inet6';
      const found = addrs.filter((a) => a.family === family).map((a) => `${a.local}/${a.prefixlen}`);
      // Which address DHCP gave is news worth saying (the host may have moved): kept for the result.
      if (found.length) lastFound.set(c, `${c.iface} has ${found.join(', ')}.`);
      return found.length ? null : `${c.iface} has no ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`;
    }
    case 'default-route': {
      const routes = await ipJson<IpRouteJson>(ctx, [c.family === 'ipv4' ? '-4' : '-6', 'route', 'show', 'default']);
      const through = routes.some((r) => r.dev === c.iface || (r.nexthops ?? []).some((n) => n.dev === c.iface));
      return through ? null : `The ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} default route does not leave through ${c.iface}.`;
    }
    case 'gateway-answers': {
      // The answer that counts is the neighbour entry: a gateway that drops pings still answers ARP/ND.
      await runIn(ctx, ['ping', '-c', '1', '-W', '1', '-I', c.iface, c.gateway], 'kernel', { timeoutMs: 5_000 }).catch(() => undefined);
      const [entry] = await ipJson<IpNeighJson>(ctx, ['neigh', 'show', c.gateway, 'dev', c.iface]);
      const state = entry?.state ?? [];
      return state.some((s) => ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT'].includes(s)) ? null : `${c.gateway} does not answer on ${c.iface}.`;
    }
  }
}

/**
 * Runs the checks in order, each retried until it holds or the budget is spent. Stops at the
 * first that fails (what follows it would fail for the same reason); returns every result.
 */
export async function runLiveChecks(checks: readonly LiveCheck[], ctx: OpContext, options: LiveCheckOptions = {}): Promise<LiveCheckResult[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const until = now() + (options.budgetMs ?? DEFAULT_BUDGET_MS);
  const results: LiveCheckResult[] = [];
  for (const check of checks) {
    let why: string | null;
    for (;;) {
      why = await attempt(check, ctx).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      if (why === null || now() >= until) break;
      await sleep(options.intervalMs ?? 500);
    }
    const result: LiveCheckResult = { check, ok: why === null, detail: why === null ? (lastFound.get(check) ?? sentence(describeLiveCheck(check))) : why };
    results.push(result);
    options.onResult?.(result);
    if (!result.ok) break;
  }
  return results;
}

/** A check's words as a sentence: capitalised unless it starts with an interface name (those are case-sensitive). */
function sentence(words: string): string {
  return `${words.startsWith('the ') ? `T${words.slice(1)}` : words}.`;
}
