/**
 * An op's shell lines, pasted into a shell, do exactly what the op does (a user may run them
 * instead of Passthru), whatever the host named things. The lines that write to sysfs are run
 * by sh with /sys moved under a temporary directory; the value written must be the driver name
 * (or address) and a newline, byte for byte — a driver named `-n`, `a\c` or `$(id)` included.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hasUnsafeControls } from '#shared/control-chars';
import { hostileArg } from '#shared/testing/text-arbitraries';
import { OPS } from './index';

const shellFor = (op: Parameters<typeof OPS.shellOf>[0]): string[] => OPS.shellOf(op);

const tmp = mkdtempSync(join(tmpdir(), 'passthru-plan-shell-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `line` with /sys/ redirected under `root` (the paths are single-quoted or plain). */
function runUnder(root: string, line: string): void {
  const moved = line.replace(/(^|[ '])\/sys\//g, `$1${root}/sys/`);
  const r = spawnSync('sh', ['-c', moved], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  expect(r.status, `${moved}\n${r.stderr}`).toBe(0);
}

/** A name as sysfs can hold one: no slash, no NUL, not . or .. */
const sysfsName = hostileArg.map((t) => t.replace(/\//g, '')).filter((t) => t !== '' && t !== '.' && t !== '..' && Buffer.byteLength(t) < 200);

let n = 0;
describe('plan shell lines write exactly what the op writes', () => {
  it('driver_override and unbind with any driver name (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('-n', '-e', 'a\\c', '$(id)', '`id`', "it's", 'vfio-pci'), sysfsName), (driver) => {
        const root = join(tmp, `r${++n}`);
        const address = '0000:01:00.0';
        mkdirSync(join(root, 'sys/bus/pci/devices', address), { recursive: true });
        mkdirSync(join(root, 'sys/bus/pci/drivers', driver), { recursive: true });
        const lines = [...shellFor({ verb: 'set-driver-override', address, driver }), ...shellFor({ verb: 'unbind', address, driver })];
        for (const line of lines) expect(hasUnsafeControls(line)).toBe(false);
        for (const line of lines) runUnder(root, line);
        expect(readFileSync(join(root, 'sys/bus/pci/devices', address, 'driver_override'), 'utf8')).toBe(`${driver}\n`);
        expect(readFileSync(join(root, 'sys/bus/pci/drivers', driver, 'unbind'), 'utf8')).toBe(`${address}\n`);
      }),
      { numRuns: 80 },
    );
  });

  it('plain values keep the familiar echo line', () => {
    expect(shellFor({ verb: 'set-driver-override', address: '0000:01:00.0', driver: 'vfio-pci' })).toEqual(['echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override']);
    expect(shellFor({ verb: 'unbind', address: '0000:01:00.0', driver: '$(id)' })).toEqual(["echo 0000:01:00.0 > '/sys/bus/pci/drivers/$(id)/unbind'"]);
    expect(shellFor({ verb: 'set-driver-override', address: '0000:01:00.0', driver: '-n' })).toEqual(["printf '%s\\n' -n > /sys/bus/pci/devices/0000:01:00.0/driver_override"]);
  });
});
