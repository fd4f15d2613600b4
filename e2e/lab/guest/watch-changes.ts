/**
 * Lab only: the app's ChangeWatcher on the guest's live host, printing what it notices, so a
 * lab test can time the kernel's events against the notifications
 * (e2e/lab/change-events.lab.test.ts). Bundled by scripts/build.mjs with the lab, into
 * dist/lab/watch-changes.cjs; run in the guest as root:
 *
 *   node dist/lab/watch-changes.cjs [--poll-ms N] [--debounce-ms N] [--trace]
 *
 * Prints `pid N` first, then `mode MODE` (with the reason after a tab when it fell back)
 * whenever the mode changes, and `change MS` (Date.now(), the guest's clock) for every
 * notification. --poll-ms defaults to 0: no polling, so every notification came from an event.
 * --trace also runs the same monitors beside the watcher and prints `event MS LINE` for each of
 * their lines, so a test can time the kernel's event, not only the command, to the notification.
 * SIGUSR2 prints `view current` when the host still looks as it did at the last notification
 * (or the start), `view stale` when something changed that was not reported.
 * Runs until SIGTERM or SIGINT, which stop the watcher (and so its monitors) before exiting.
 */
import { parseArgs } from 'node:util';
import { RootFs } from '../../../electron/host/fs/root-fs';
import { spawnLines, type LineStream } from '../../../electron/host/exec/spawn-lines';
import { ChangeWatcher, EVENT_MONITORS, fingerprint } from '../../../electron/host/service/change-watcher';

const { values } = parseArgs({
  options: {
    'poll-ms': { type: 'string', default: '0' },
    'debounce-ms': { type: 'string', default: '200' },
    trace: { type: 'boolean', default: false },
  },
  strict: true,
});

const say = (line: string): void => void process.stdout.write(`${line}\n`);

say(`pid ${process.pid}`);
const fs = new RootFs('/');
let seen = fingerprint(fs);
const watcher = new ChangeWatcher(
  {
    pollIntervalMs: Number(values['poll-ms']),
    debounceMs: Number(values['debounce-ms']),
    onModeChange: (mode, reason) => say(reason ? `mode ${mode}\t${reason}` : `mode ${mode}`),
  },
  () => {
    seen = fingerprint(fs);
    say(`change ${Date.now()}`);
  },
);
watcher.start(fs);
const taps: LineStream[] = values.trace ? EVENT_MONITORS.map((argv) => spawnLines(argv, (line) => say(`event ${Date.now()} ${line}`))) : [];

process.on('SIGUSR2', () => say(`view ${fingerprint(fs) === seen ? 'current' : 'stale'}`));

// The watcher keeps nothing alive on its own (by design): this timer is what keeps the script up.
const keepAlive = setInterval(() => undefined, 60_000);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    watcher.stop();
    for (const tap of taps) tap.stop();
    clearInterval(keepAlive);
    say('stopped');
  });
}
