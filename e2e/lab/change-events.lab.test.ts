/**
 * Live updates from the kernel's own events, on a real kernel: the app's ChangeWatcher runs in
 * the seed guest with polling off (dist/lab/watch-changes.cjs, e2e/lab/guest/watch-changes.ts),
 * so every notification it prints came from `udevadm monitor --kernel` or `ip monitor`. Each
 * change made in the guest — unbind and bind of the igb PF, its link down and up, an address,
 * a route, VFs appearing — must be noticed within a second of the kernel's first event about
 * it, timed on the guest's own clock (the script runs the same monitors beside the watcher with
 * --trace and prints when each line arrived). Then the fallback: a monitor killed under the
 * watcher makes it poll (and say so), and stopping the watcher leaves no monitor behind.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHandle, RunResult } from './boot';
import { runs, useLab } from './checks/use-lab';

const PF = '0000:01:00.0';
const SCRIPT = path.resolve(__dirname, '../../dist/lab/watch-changes.cjs');
/** The longest a change may take to be noticed after its first event; the debounce is 200 ms of it. */
const WITHIN_MS = 1000;

interface Timing {
  /** 'current' when, after the change settled, the host looked as at the last notification. */
  view: string;
  /** How long the command itself ran (a bind waits for the driver's probe). */
  commandMs: number;
  /** Notifications from the command's start to 3 s after it returned. */
  notifications: number;
  /** From the command's return to the last of those notifications (negative: before it returned). */
  settledMs: number;
  /** From the first monitor line the change caused to the first notification after it. */
  firstEventToNotificationMs: number | null;
  /** Monitor lines the change caused. */
  events: number;
}

/** One watcher running in the guest, its output collected as it streams back. */
class GuestWatcher {
  output = '';
  private run: Promise<RunResult | Error> | null = null;

  constructor(
    private readonly lab: LabHandle,
    private readonly args: string[],
  ) {}

  async start(): Promise<void> {
    this.run = this.lab
      .run([process.execPath, SCRIPT, ...this.args], {
        timeoutMs: 1_800_000,
        onStdout: (d) => (this.output += String(d)),
        onStderr: (d) => (this.output += String(d)),
      })
      .catch((e: Error) => e);
    // node starts in seconds under TCG; the mode line comes once both monitors run.
    await this.waitFor(() => /^mode (events|polling|off)/m.test(this.output), 120_000, 'the watcher to start');
  }

  get pid(): string {
    return /^pid (\d+)$/m.exec(this.output)?.[1] ?? '';
  }

  get modes(): string[] {
    return [...this.output.matchAll(/^mode (.*)$/gm)].map((m) => m[1]!);
  }

  /** The guest times (ms) of every notification so far. */
  get changes(): number[] {
    return [...this.output.matchAll(/^change (\d+)$/gm)].map((m) => Number(m[1]));
  }

  /** The monitors the watcher runs now, as `pid name` lines. */
  async monitors(): Promise<string[]> {
    const r = await this.lab.run(['pgrep', '-l', '-P', this.pid]);
    return r.stdout.split('\n').filter(Boolean);
  }

  /** Waits until no notification has come for `quietMs`, so the next one belongs to the next change. */
  async quiet(quietMs = 1500): Promise<void> {
    let count = this.changes.length;
    let since = Date.now();
    await this.waitFor(
      () => {
        if (this.changes.length !== count) [count, since] = [this.changes.length, Date.now()];
        return Date.now() - since >= quietMs;
      },
      30_000,
      'the notifications to settle',
    );
  }

  /** Answers to SIGUSR2: whether the host still looked as at the last notification. */
  get views(): string[] {
    return [...this.output.matchAll(/^view (.*)$/gm)].map((m) => m[1]!);
  }

  /** The monitor lines the --trace taps saw: guest time (ms) and the line. */
  get events(): { t: number; line: string }[] {
    return [...this.output.matchAll(/^event (\d+) (.*)$/gm)].map((m) => ({ t: Number(m[1]), line: m[2]! }));
  }

  /**
   * Runs `command` in the guest between two readings of the guest's clock, and times what the
   * watcher printed in the 3 s after it returned: all on the guest's clock, since output
   * reaches this machine late (files tailed over 9p).
   */
  async timed(command: string): Promise<Timing> {
    await this.quiet();
    const r = await this.lab.runOk(['sh', '-c', `date +%s%3N; ${command}; date +%s%3N`]);
    const clock = r.stdout.trim().split('\n');
    const [t0, t1] = [Number(clock[0]), Number(clock.at(-1))];
    await this.waitFor(() => this.changes.some((t) => t >= t0), 20_000, `a notification after \`${command}\``);
    await new Promise((r) => setTimeout(r, 3500));
    const notes = this.changes.filter((t) => t >= t0 && t <= t1 + 3000);
    const events = this.events.filter((e) => e.t >= t0 && e.t <= t1 + 3000);
    const firstEvent = events[0]?.t ?? null;
    const views = this.views.length;
    await this.lab.runOk(['kill', '-USR2', this.pid]);
    await this.waitFor(() => this.views.length > views, 20_000, 'the watcher to compare its view');
    return {
      view: this.views.at(-1)!,
      commandMs: t1 - t0,
      notifications: notes.length,
      settledMs: notes.at(-1)! - t1,
      firstEventToNotificationMs: firstEvent === null ? null : (notes.find((t) => t >= firstEvent) ?? NaN) - firstEvent,
      events: events.length,
    };
  }

  async stop(): Promise<RunResult | Error | null> {
    if (this.pid) await this.lab.run(['kill', '-TERM', this.pid]).catch(() => undefined);
    return this.run ? Promise.race([this.run, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]) : null;
  }

  async waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; watcher output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.runIf(runs('seed'))('live updates from the kernel’s events (seed)', () => {
  const lab = useLab('seed', 'change-events');
  const measured: string[] = [];
  let watcher: GuestWatcher;
  let pfIf = '';

  beforeAll(async () => {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`node scripts/build.mjs --only=cli,helper,lab\` first (npm run test:lab does).`);
    watcher = new GuestWatcher(lab(), ['--poll-ms', '0', '--trace']);
    await watcher.start();
  });

  afterAll(async () => {
    await watcher?.stop();
    console.log(`[lab change-events] event → notification, guest clock:\n  ${measured.join('\n  ')}`);
  });

  const expectNoticed = async (label: string, command: string): Promise<void> => {
    const t = await watcher.timed(command);
    measured.push(
      `${label}: event → notification ${t.firstEventToNotificationMs} ms; the command ran ${t.commandMs} ms, ` +
        `its last notification ${t.settledMs} ms after it returned; ${t.events} monitor lines, ${t.notifications} notification(s); view ${t.view}`,
    );
    const output = `${label}: ${JSON.stringify(t)}\n${watcher.output}`;
    expect(t.notifications, output).toBeGreaterThanOrEqual(1);
    expect(t.firstEventToNotificationMs, output).toBeLessThan(WITHIN_MS);
    // Nothing of it went unreported: the last notification saw the host as it ended up.
    expect(t.view, output).toBe('current');
  };

  it('runs on events, both monitors up, and stays silent while nothing changes', async () => {
    expect(watcher.modes).toEqual(['events']);
    const monitors = await watcher.monitors();
    expect(monitors.map((l) => l.split(' ')[1])).toEqual(expect.arrayContaining(['udevadm', 'ip']));
    await watcher.quiet();
    const before = watcher.changes.length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(watcher.changes.length).toBe(before);
  });

  it('notices unbind and bind of a PCI device within a second', async () => {
    await expectNoticed('unbind igb', `echo ${PF} > /sys/bus/pci/drivers/igb/unbind`);
    await expectNoticed('bind igb', `echo ${PF} > /sys/bus/pci/drivers/igb/bind`);
  });

  it('notices a link going up and down within a second', async () => {
    // udev names the PF's interface (enp1s0) after each bind: wait for that name.
    for (let i = 0; i < 60 && !/^enp/.test(pfIf); i++) {
      pfIf = (await lab().run(['ls', `/sys/bus/pci/devices/${PF}/net`])).stdout.trim();
      if (!/^enp/.test(pfIf)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pfIf).toMatch(/^enp/);
    await expectNoticed('ip link set up', `ip link set dev ${pfIf} up`);
    await expectNoticed('ip link set down', `ip link set dev ${pfIf} down`);
  });

  it('notices an address and a route, added and removed, within a second', async () => {
    await expectNoticed('ip addr add', `ip addr add 192.0.2.1/24 dev ${pfIf}`);
    await expectNoticed('ip route add', 'ip route add 198.51.100.0/24 via 10.0.2.2');
    await expectNoticed('ip route del', 'ip route del 198.51.100.0/24 via 10.0.2.2');
    await expectNoticed('ip addr del', `ip addr del 192.0.2.1/24 dev ${pfIf}`);
  });

  it('notices VFs appearing and going within a second, in a few notifications for dozens of events', async () => {
    await expectNoticed('4 VFs created', `echo 4 > /sys/bus/pci/devices/${PF}/sriov_numvfs`);
    await expectNoticed('VFs removed', `echo 0 > /sys/bus/pci/devices/${PF}/sriov_numvfs`);
    expect(watcher.modes).toEqual(['events']);
  });

  it('stopping the watcher stops its monitors', async () => {
    // The watcher's two and the two --trace taps.
    const monitors = await watcher.monitors();
    expect(monitors).toHaveLength(4);
    const result = await watcher.stop();
    expect(result && !(result instanceof Error) ? result.code : result).toBe(0);
    expect(watcher.output).toMatch(/^stopped$/m);
    for (const line of monitors) {
      const pid = line.split(' ')[0]!;
      expect((await lab().run(['kill', '-0', pid])).code, `${line} is still running`).not.toBe(0);
    }
  });

  it('falls back to polling when a monitor dies, says why, and still notices changes', async () => {
    const polling = new GuestWatcher(lab(), ['--poll-ms', '500']);
    try {
      await polling.start();
      expect(polling.modes).toEqual(['events']);
      const udevadm = (await polling.monitors()).find((l) => l.endsWith(' udevadm'))!;
      expect(udevadm).toBeTruthy();
      await lab().runOk(['kill', '-KILL', udevadm.split(' ')[0]!]);
      await polling.waitFor(() => polling.modes.length > 1, 20_000, 'the fallback');
      expect(polling.modes[1]).toMatch(/^polling\t`udevadm monitor .*` was killed by SIGKILL\./);
      // Polling alone: the other monitor is gone too.
      expect(await polling.monitors()).toEqual([]);
      const t = await polling.timed(`ip addr add 192.0.2.2/24 dev ${pfIf}`);
      measured.push(`ip addr add, polling every 500 ms: last notification ${t.settledMs} ms after the command returned`);
      expect(t.notifications).toBeGreaterThanOrEqual(1);
      expect(t.settledMs).toBeLessThan(WITHIN_MS + 500);
      expect(t.view).toBe('current');
    } finally {
      await polling.stop();
    }
  });
});
