/**
 * Notices when PCI devices, their drivers, network interfaces, addresses or routes change, so
 * the window can scan again.
 *
 * On the live host the kernel says when: `udevadm monitor --kernel` prints a line for every
 * uevent of the pci and net subsystems (add, remove, bind, unbind, move), and `ip monitor`
 * one for every link, address and route message. Each line starts (or extends) a short
 * quiet period; when it is over, a fingerprint of what the window shows is read once and a
 * change is reported only if it differs, so a burst (eight VFs appearing) is one
 * notification, and a message that changes nothing shown (an IPv6 address refreshing its
 * lifetime after a router advertisement) is none. Between events nothing is read at all.
 *
 * Kernel uevents rather than udev's (`--udev`): they need no udevd (containers, rescue
 * systems), no privilege, and come first; bind, unbind and the rename of a new NIC are kernel
 * events that udev only relays after its rules have run.
 *
 * Without events — a tool missing or refused, a monitor that dies, or a root that is not `/`
 * (a snapshot or a test tree: the kernel's events are this machine's, not the tree's) — the
 * fingerprint is polled instead, as before: sysfs does not support inotify for these.
 */
import type { WatchMode } from '#shared/app-status';
import type { HostFs } from '../fs/host-fs';
import { spawnLines, type LineSpawner, type LineStream, type LineStreamEnd } from '../exec/spawn-lines';

export type { WatchMode };

/** The monitors whose lines mean "something may have changed". */
export const EVENT_MONITORS: readonly (readonly string[])[] = [
  ['udevadm', 'monitor', '--kernel', '--subsystem-match=pci', '--subsystem-match=net'],
  // iproute2 6.1 prints text even with -j here, and any line will do: it is only a trigger.
  ['ip', 'monitor', 'link', 'address', 'route'],
];

export interface ChangeWatcherOptions {
  /** How often the fingerprint is polled when there are no events (ms); 0 never polls. */
  pollIntervalMs: number;
  /**
   * When the kernel's events are used: `live` (default) when watching `/`, `never` (always
   * poll), or `always`, a tree too — only the benchmark wants that, to measure the idle cost of
   * the events on a large synthetic host (the events are this machine's, not the tree's).
   */
  events?: 'live' | 'never' | 'always';
  /** The quiet time after an event before the fingerprint is read (default 200 ms). */
  debounceMs?: number;
  /** The longest a stream of events may put the read off (default 750 ms). */
  maxDelayMs?: number;
  /** Starts the monitors (tests pass a fake). */
  spawn?: LineSpawner;
  /** Told whenever the mode changes, with why when it fell back. */
  onModeChange?: (mode: WatchMode, reason: string | null) => void;
}

/**
 * What the sysfs part of the window shows, cheaply: the device list, each device's driver
 * link, and the interface list with operstate. One readdir plus one readlink per device.
 */
export function hostFingerprint(fs: HostFs): string {
  const parts: string[] = [];
  for (const address of fs.list('/sys/bus/pci/devices')) {
    const driver = fs.readLink(`/sys/bus/pci/devices/${address}/driver`);
    parts.push(`${address}=${driver ? driver.slice(driver.lastIndexOf('/') + 1) : ''}`);
  }
  for (const name of fs.list('/sys/class/net')) {
    parts.push(`${name}:${(fs.readText(`/sys/class/net/${name}/operstate`) ?? '').trim()}`);
  }
  return parts.join('\n');
}

/** The admin state bit of an interface's `flags` (IFF_UP); the others flip on their own (promisc). */
const IFF_UP = 0x1;

/**
 * What the window shows of addresses and routes, read from procfs in-process: no command runs,
 * so a check costs a few reads even at thousands of interfaces. IPv4 addresses are the local
 * entries of `fib_trie` (an address on a link that is down still has one), IPv6 addresses are
 * `if_inet6`, routes `route` and `ipv6_route`; what changes on its own is left out (reference
 * and use counts, IPv6 address flags such as tentative and deprecated), and lifetimes are not
 * in these files at all, so an IPv6 address refreshed by a router advertisement is no change.
 * Each interface's admin state (`ip link set … down` with no carrier leaves operstate as it was).
 * Not in it: an interface's MTU, MAC and master, and a PF's VF settings; a change of only those
 * is reported with the next change that is.
 */
export function networkFingerprint(fs: HostFs): string {
  const lines = (path: string): string[] => (fs.readText(path) ?? '').split('\n').filter((l) => l.trim() !== '');
  const without = (line: string, ...columns: number[]): string =>
    line
      .trim()
      .split(/\s+/)
      .filter((_, i) => !columns.includes(i))
      .join(' ');
  const parts = lines('/proc/net/fib_trie');
  // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
  for (const line of lines('/proc/net/route').slice(1)) parts.push(`r4 ${without(line, 4, 5)}`);
  // dest plen src plen nexthop metric refcnt use flags dev
  for (const line of lines('/proc/net/ipv6_route')) parts.push(`r6 ${without(line, 6, 7)}`);
  // address ifindex prefixlen scope flags name, in hash order
  parts.push(
    ...lines('/proc/net/if_inet6')
      .map((line) => `a6 ${without(line, 4)}`)
      .sort(),
  );
  for (const name of fs.list('/sys/class/net')) {
    const flags = parseInt(fs.readText(`/sys/class/net/${name}/flags`) ?? '', 16);
    parts.push(`up ${name} ${Number.isNaN(flags) ? '?' : flags & IFF_UP}`);
  }
  return parts.join('\n');
}

const DEFAULT_DEBOUNCE_MS = 200;
// Below a second, so that even a change in the middle of a long burst is seen within one.
const DEFAULT_MAX_DELAY_MS = 750;

export class ChangeWatcher {
  private readonly spawn: LineSpawner;
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  /** Bumped by start() and stop(): work begun under an older one is dropped. */
  private generation = 0;
  private fs: HostFs | null = null;
  private last = '';
  private currentMode: WatchMode = 'off';
  /** Why the current mode is not the one wanted (a monitor that could not start or died), if so. */
  private currentReason: string | null = null;
  private monitors: LineStream[] = [];
  private pollTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private burstStartedAt: number | null = null;

  constructor(
    private readonly options: ChangeWatcherOptions,
    private readonly onChange: () => void,
  ) {
    this.spawn = options.spawn ?? spawnLines;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  /** 'events' while both monitors run, 'polling' when the fingerprint is polled, else 'off'. */
  get mode(): WatchMode {
    return this.currentMode;
  }

  /** Why the kernel's events are not used now although they were wanted, or null. */
  get fallbackReason(): string | null {
    return this.currentReason;
  }

  start(fs: HostFs): void {
    this.stop();
    const generation = this.generation;
    this.fs = fs;
    this.last = fingerprint(fs);
    const events = this.options.events ?? 'live';
    if (events === 'always' || (events === 'live' && fs.root === '/')) this.startEvents(generation);
    else this.startPolling(generation, null);
  }

  stop(): void {
    this.generation++;
    for (const monitor of this.monitors) monitor.stop();
    this.monitors = [];
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = null;
    this.debounceTimer = null;
    this.burstStartedAt = null;
    this.setMode('off', null);
  }

  /** Starts both monitors, or polls when one of them cannot start. */
  private startEvents(generation: number): void {
    const onLine = (): void => this.eventArrived(generation);
    const onEnd = (end: LineStreamEnd): void => {
      if (generation !== this.generation || end.stopped) return;
      this.fallBack(generation, endReason(end));
    };
    for (const argv of EVENT_MONITORS) {
      const monitor = this.spawn(argv, onLine, { onEnd });
      this.monitors.push(monitor);
      // A program that is not installed has no pid already: poll right away, no 'events' blip.
      if (monitor.pid === undefined) {
        for (const m of this.monitors) m.stop();
        this.monitors = [];
        this.startPolling(generation, `\`${argv.join(' ')}\` could not be started.`);
        return;
      }
    }
    this.setMode('events', null);
    // Whatever changed while the monitors were subscribing is read once they are.
    this.eventArrived(generation);
  }

  private fallBack(generation: number, reason: string): void {
    for (const monitor of this.monitors) monitor.stop();
    this.monitors = [];
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    this.burstStartedAt = null;
    this.startPolling(generation, reason);
    // Events may have been missed since the monitor died: look now, not a poll later.
    this.check(generation);
  }

  private startPolling(generation: number, reason: string | null): void {
    if (this.options.pollIntervalMs <= 0) {
      this.setMode('off', reason);
      return;
    }
    this.pollTimer = setInterval(() => this.check(generation), this.options.pollIntervalMs);
    // The watcher must never keep a CLI or test process alive on its own.
    this.pollTimer.unref();
    this.setMode('polling', reason);
  }

  /** A line from a monitor: read the fingerprint once the burst it belongs to is over. */
  private eventArrived(generation: number): void {
    if (generation !== this.generation) return;
    const now = Date.now();
    this.burstStartedAt ??= now;
    const due = Math.min(now + this.debounceMs, this.burstStartedAt + this.maxDelayMs);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(
      () => {
        this.debounceTimer = null;
        this.burstStartedAt = null;
        this.check(generation);
      },
      Math.max(0, due - now),
    );
    this.debounceTimer.unref();
  }

  /** Reads the fingerprint and reports a change. */
  private check(generation: number): void {
    const fs = this.fs;
    if (generation !== this.generation || !fs) return;
    const now = fingerprint(fs);
    if (now !== this.last) {
      this.last = now;
      this.onChange();
    }
  }

  private setMode(mode: WatchMode, reason: string | null): void {
    if (mode === this.currentMode && reason === null) return;
    this.currentMode = mode;
    this.currentReason = reason;
    this.options.onModeChange?.(mode, reason);
  }
}

/** Why a monitor ended, in words: the command's failure and the last thing it said on stderr. */
function endReason(end: LineStreamEnd): string {
  const said = end.stderr.trim().split('\n').pop() ?? '';
  const what = end.error?.message ?? `\`${end.argv.join(' ')}\` ended.`;
  return said ? `${what} (${said})` : what;
}

/** The whole fingerprint: sysfs for every root, addresses and routes for the live host only. */
export function fingerprint(fs: HostFs): string {
  try {
    return fs.root === '/' ? `${hostFingerprint(fs)}\n${networkFingerprint(fs)}` : hostFingerprint(fs);
  } catch {
    // The tree now holds something Passthru refuses to read (a FIFO, a device node): a throw
    // from a timer would be uncaught. Report a change; the scan that follows says what it is.
    return '\0unreadable';
  }
}
