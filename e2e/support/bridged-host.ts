/**
 * Test-only: a copy of a fixture host with Linux bridges added, laid out as a snapshot records
 * them (/sys/class/net/NAME → the virtual device, with its `bridge/` and `brif/` directories),
 * for the hosts that were captured without one. Shared by the VM unit tests and the GUI spec.
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fixtureWithBridges(fixtureDir: string, dest: string, bridges: readonly string[]): string {
  cpSync(fixtureDir, dest, { recursive: true, verbatimSymlinks: true });
  bridges.forEach((name, i) => {
    const dir = join(dest, 'sys/devices/virtual/net', name);
    mkdirSync(join(dir, 'bridge'), { recursive: true });
    mkdirSync(join(dir, 'brif'), { recursive: true });
    const ifindex = 100 + i;
    const files: Record<string, string> = {
      type: '1',
      ifindex: String(ifindex),
      address: `02:00:00:00:01:${(i + 1).toString(16).padStart(2, '0')}`,
      operstate: 'up',
      mtu: '1500',
      uevent: `DEVTYPE=bridge\nINTERFACE=${name}\nIFINDEX=${ifindex}\n`,
      'bridge/stp_state': '0',
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), `${text}\n`);
    symlinkSync(`../../devices/virtual/net/${name}`, join(dest, 'sys/class/net', name));
  });
  return dest;
}
