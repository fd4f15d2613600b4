import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostFs } from '../fs/host-fs';
import { RootFs } from '../fs/root-fs';
import { CommandError } from '../exec/run-command';
import type { LineSpawner, LineStream, LineStreamEnd, SpawnLinesOptions } from '../exec/spawn-lines';
import { makeTempRoot, TreeWriter } from '../testing/fake-sysfs';
import { ChangeWatcher, EVENT_MONITORS, type ChangeWatcherOptions, type WatchMode } from './change-watcher';

describe('ChangeWatcher on a tree of files', () => {
  it('a tree that turns to hold a device node where it reads: a change is reported, nothing is thrown from the timer', async () => {
    const root = makeTempRoot('passthru-watch-');
    new TreeWriter(root).file('/sys/class/net/eth0/operstate', 'up\n');
    let changes = 0;
    const spawn = vi.fn<LineSpawner>();
    const watcher = new ChangeWatcher({ pollIntervalMs: 10, spawn }, () => changes++);
    watcher.start(new RootFs(root));
    expect(watcher.mode).toBe('polling');
    const operstate = path.join(root, 'sys/class/net/eth0/operstate');
    fs.rmSync(operstate);
    execFileSync('mknod', [operstate, 'c', '1', '3']);
    await new Promise((r) => setTimeout(r, 100));
    watcher.stop();
    expect(changes).toBeGreaterThan(0);
    // The kernel's events are this machine's, not the tree's: no monitor is started for it.
    expect(spawn).not.toHaveBeenCalled();
    expect(watcher.mode).toBe('off');
  });
});

/** A monitor the test drives: it prints lines, dies, and records being stopped. */
class FakeMonitor implements LineStream {
  stopped = false;
  running = true;
  readonly ended: Promise<LineStreamEnd>;
  private resolveEnded!: (end: LineStreamEnd) => void;

  constructor(
    readonly argv: readonly string[],
    readonly pid: number | undefined,
    private readonly onLine: (line: string) => void,
    private readonly options: SpawnLinesOptions,
  ) {
    this.ended = new Promise((r) => (this.resolveEnded = r));
    if (pid === undefined) this.running = false;
  }

  line(text: string): void {
    if (this.running) this.onLine(text);
  }

  die(stderr: string, exitCode = 1): void {
    this.end({ stopped: false, error: new CommandError({ argv: this.argv, failure: 'exit', exitCode, stderr }), exitCode, signalName: null, stderr });
  }

  stop(): void {
    if (!this.running) return;
    this.stopped = true;
    this.end({ stopped: true, error: null, exitCode: null, signalName: 'SIGTERM', stderr: '' });
  }

  private end(end: Omit<LineStreamEnd, 'argv'>): void {
    if (!this.running) return;
    this.running = false;
    const full = { argv: this.argv, ...end };
    this.resolveEnded(full);
    this.options.onEnd?.(full);
  }
}

/** A live-looking host ('/') held in memory: devices with drivers, interfaces, procfs's addresses and routes. */
class FakeHost {
  devices = new Map<string, string>([['0000:01:00.0', 'igb']]);
  links = new Map<string, { operstate: string; flags: string }>([['enp1s0', { operstate: 'up', flags: '0x1003' }]]);
  readonly proc = new Map<string, string>([
    ['/proc/net/fib_trie', 'Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.0.2.15\n        /32 host LOCAL\n'],
    ['/proc/net/route', 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\nenp1s0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\n'],
    [
      '/proc/net/ipv6_route',
      'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 enp1s0\n',
    ],
    ['/proc/net/if_inet6', 'fe800000000000005054fffe123401 02 40 20 80 enp1s0\n'],
  ]);
  reads = 0;

  readonly fs: HostFs = {
    root: '/',
    list: (p) => (p === '/sys/bus/pci/devices' ? [...this.devices.keys()] : p === '/sys/class/net' ? [...this.links.keys()] : []),
    readLink: (p) => {
      this.reads++;
      const driver = this.devices.get(p.split('/')[5] ?? '');
      return driver ? `../../../bus/pci/drivers/${driver}` : null;
    },
    readText: (p) => {
      const link = this.links.get(p.split('/')[4] ?? '');
      if (p.endsWith('/operstate')) return link ? `${link.operstate}\n` : null;
      if (p.endsWith('/flags')) return link ? `${link.flags}\n` : null;
      return this.proc.get(p) ?? null;
    },
    readBytes: () => null,
    realPath: () => null,
    exists: () => false,
    isDirectory: () => false,
    accessibleRw: () => null,
  };

  append(file: string, line: string): void {
    this.proc.set(file, `${this.proc.get(file) ?? ''}${line}\n`);
  }
}

describe('ChangeWatcher on the live host', () => {
  let host: FakeHost;
  let monitors: FakeMonitor[];
  let failToStart: Set<string>;
  let changes: number;
  let modes: [WatchMode, string | null][];
  let watcher: ChangeWatcher;

  const spawn: LineSpawner = (argv, onLine, options = {}) => {
    const m = new FakeMonitor(argv, failToStart.has(argv[0]!) ? undefined : 1000 + monitors.length, onLine, options);
    monitors.push(m);
    if (m.pid === undefined)
      queueMicrotask(() => options.onEnd?.({ argv, stopped: false, error: new CommandError({ argv, failure: 'not-found' }), exitCode: null, signalName: null, stderr: '' }));
    return m;
  };
  const udev = () => monitors.find((m) => m.argv[0] === 'udevadm')!;
  const ipmon = () => monitors.find((m) => m.argv[0] === 'ip')!;

  function startWatcher(options: Partial<ChangeWatcherOptions> = {}): void {
    watcher = new ChangeWatcher({ pollIntervalMs: 50, spawn, onModeChange: (mode, why) => modes.push([mode, why]), ...options }, () => changes++);
    watcher.start(host.fs);
  }

  beforeEach(() => {
    vi.useFakeTimers();
    host = new FakeHost();
    monitors = [];
    failToStart = new Set();
    changes = 0;
    modes = [];
  });

  afterEach(() => {
    watcher?.stop();
    vi.useRealTimers();
  });

  it('runs both monitors and reads nothing between events: no polling while they are up', async () => {
    startWatcher();
    expect(watcher.mode).toBe('events');
    expect(monitors.map((m) => m.argv)).toEqual(EVENT_MONITORS);
    await vi.advanceTimersByTimeAsync(1000);
    const reads = host.reads;
    host.devices.set('0000:01:00.0', 'vfio-pci');
    await vi.advanceTimersByTimeAsync(5000);
    // No event, no read: the change is not seen (polling would have seen it at 50 ms).
    expect(changes).toBe(0);
    expect(host.reads).toBe(reads);
    udev().line('KERNEL[12.3] bind     /devices/pci0000:00/0000:00:01.0/0000:01:00.0 (pci)');
    await vi.advanceTimersByTimeAsync(250);
    expect(changes).toBe(1);
  });

  it('a burst of events is one notification, read once after the burst is quiet', async () => {
    startWatcher();
    await vi.advanceTimersByTimeAsync(1000);
    const reads = host.reads;
    // Eight VFs appear 50 ms apart, each with a pci add, a bind and a new interface.
    for (let vf = 0; vf < 8; vf++) {
      host.devices.set(`0000:02:10.${vf}`, 'igbvf');
      host.links.set(`enp2s16f${vf}`, { operstate: 'down', flags: '0x1002' });
      udev().line(`KERNEL[1.${vf}] add      /devices/pci0000:00/0000:02:10.${vf} (pci)`);
      udev().line(`KERNEL[1.${vf}] bind     /devices/pci0000:00/0000:02:10.${vf} (pci)`);
      ipmon().line(`${10 + vf}: enp2s16f${vf}: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default`);
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(changes).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(changes).toBe(1);
    // One fingerprint read: one readlink per device, once.
    expect(host.reads - reads).toBe(9);
    await vi.advanceTimersByTimeAsync(2000);
    expect(changes).toBe(1);
  });

  it('a stream of events that never pauses is still reported, at most 750 ms late', async () => {
    startWatcher();
    await vi.advanceTimersByTimeAsync(1000);
    for (let t = 0; t < 30; t++) {
      host.links.set(`macvtap${t}`, { operstate: 'up', flags: '0x1003' });
      ipmon().line(`${20 + t}: macvtap${t}@enp1s0: <BROADCAST,MULTICAST,UP> state UP`);
      await vi.advanceTimersByTimeAsync(100);
    }
    // 3 s of events every 100 ms: a read 750 ms into each burst (at 0.75, 1.55 and 2.35 s), not
    // one at the end.
    expect(changes).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(changes).toBe(4);
  });

  it('an event that changes nothing shown (counters, IPv6 address flags) is not a change; addresses, routes and admin state are', async () => {
    startWatcher();
    await vi.advanceTimersByTimeAsync(1000);
    // Traffic moves the reference counts; DAD ends (tentative goes from the flags); promisc mode.
    host.proc.set('/proc/net/ipv6_route', host.proc.get('/proc/net/ipv6_route')!.replace('00000001 00000000 00000001', '00000007 00000123 00000001'));
    host.proc.set('/proc/net/if_inet6', host.proc.get('/proc/net/if_inet6')!.replace(' 20 80 ', ' 20 c0 '));
    host.links.get('enp1s0')!.flags = '0x1103';
    ipmon().line('2: enp1s0    inet6 fe80::5054:ff:fe12:3401/64 scope link');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(0);
    host.append('/proc/net/fib_trie', '     |-- 192.0.2.1\n        /32 host LOCAL');
    ipmon().line('3: enp2s0    inet 192.0.2.1/24 scope global enp2s0');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(1);
    host.append('/proc/net/if_inet6', '20010db8000000000000000000000001 02 40 00 80 enp1s0');
    ipmon().line('2: enp1s0    inet6 2001:db8::1/64 scope global');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(2);
    host.append('/proc/net/route', 'enp1s0\t006433C6\t0202000A\t0003\t0\t0\t0\t00FFFFFF');
    ipmon().line('198.51.100.0/24 via 10.0.2.2 dev enp1s0');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(3);
    host.append(
      '/proc/net/ipv6_route',
      '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 enp1s0',
    );
    ipmon().line('2001:db8::/64 dev enp1s0 proto kernel metric 256 pref medium');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(4);
    // Down with no carrier: operstate stays 'down', the admin state is what changed.
    host.links.set('enp2s0', { operstate: 'down', flags: '0x1003' });
    ipmon().line('3: enp2s0: <BROADCAST,MULTICAST,UP> mtu 1500 state DOWN');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(5);
    host.links.get('enp2s0')!.flags = '0x1002';
    ipmon().line('3: enp2s0: <BROADCAST,MULTICAST> mtu 1500 state DOWN');
    await vi.advanceTimersByTimeAsync(500);
    expect(changes).toBe(6);
  });

  it('falls back to polling when a monitor dies, looks at once, and says why', async () => {
    startWatcher();
    await vi.advanceTimersByTimeAsync(1000);
    host.devices.set('0000:01:00.0', 'vfio-pci');
    ipmon().die('Cannot bind netlink socket: Operation not permitted');
    expect(watcher.mode).toBe('polling');
    expect(modes.at(-1)![1]).toContain('Operation not permitted');
    // The other monitor is stopped too: polling alone from now on.
    expect(udev().stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(changes).toBe(1);
    host.devices.delete('0000:01:00.0');
    await vi.advanceTimersByTimeAsync(60);
    expect(changes).toBe(2);
    // A line from a dead monitor's last breath changes nothing.
    udev().line('KERNEL[9.9] remove /devices/x (pci)');
    expect(monitors).toHaveLength(2);
  });

  it('polls from the start when a monitor cannot start (the tool is missing), without an events blip', async () => {
    failToStart.add('ip');
    startWatcher();
    expect(watcher.mode).toBe('polling');
    expect(modes).toEqual([['polling', '`ip monitor link address route` could not be started.']]);
    expect(udev().stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    host.devices.set('0000:01:00.0', 'vfio-pci');
    await vi.advanceTimersByTimeAsync(60);
    expect(changes).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(watcher.mode).toBe('polling');
  });

  it('with polling off, a dead monitor leaves the watcher off, and it says so', async () => {
    startWatcher({ pollIntervalMs: 0 });
    expect(watcher.mode).toBe('events');
    udev().die('', 0);
    expect(watcher.mode).toBe('off');
    expect(modes.map(([m]) => m)).toEqual(['events', 'off']);
    await vi.advanceTimersByTimeAsync(10);
    host.devices.set('0000:01:00.0', 'vfio-pci');
    await vi.advanceTimersByTimeAsync(5000);
    expect(changes).toBe(0);
  });

  it('events can be turned off: the live host is then polled', () => {
    startWatcher({ events: 'never' });
    expect(watcher.mode).toBe('polling');
    expect(monitors).toHaveLength(0);
  });

  it('a tree is polled, unless the events are asked for always (the benchmark’s idle cost at scale)', () => {
    const tree = { ...host.fs, root: '/tmp/some-tree' };
    startWatcher();
    watcher.start(tree);
    expect(watcher.mode).toBe('polling');
    const before = monitors.length;
    startWatcher({ events: 'always' });
    watcher.start(tree);
    expect(watcher.mode).toBe('events');
    expect(monitors.length).toBeGreaterThan(before);
  });

  it('stop() stops the monitors, and nothing is reported after it, not even a read that was due', async () => {
    startWatcher();
    await vi.advanceTimersByTimeAsync(1000);
    host.devices.set('0000:01:00.0', 'vfio-pci');
    udev().line('KERNEL[1.0] unbind /devices/pci0000:00/0000:00:01.0/0000:01:00.0 (pci)');
    await vi.advanceTimersByTimeAsync(100);
    // The read is due in 100 ms; stop now.
    const [u, i] = [udev(), ipmon()];
    watcher.stop();
    expect(watcher.mode).toBe('off');
    expect(u.stopped && i.stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(changes).toBe(0);
    // Stopped monitors deliver nothing, but even a stray call is ignored.
    u.running = true;
    u.line('KERNEL[2.0] bind /devices/x (pci)');
    await vi.advanceTimersByTimeAsync(1000);
    expect(changes).toBe(0);
  });

  it('start() again (another root shown) stops the old monitors first', async () => {
    startWatcher();
    const first = [...monitors];
    watcher.start(host.fs);
    expect(first.every((m) => m.stopped)).toBe(true);
    expect(monitors).toHaveLength(4);
    expect(watcher.mode).toBe('events');
  });
});
