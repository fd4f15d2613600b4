import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { probePciDevices } from './pci-devices';

/**
 * The scan of this very machine must match `lspci -nnk` device for device, the reference users
 * trust. lspci is the oracle: if it is missing the test fails with the reason — it never skips.
 */

interface LspciRecord {
  slot: string;
  classId: string;
  className: string | null;
  vendorId: string;
  vendorName: string | null;
  deviceId: string;
  deviceName: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  revision: string | null;
  progIf: string;
  driver: string | null;
}

function lspci(args: string[]): string {
  try {
    return execFileSync('lspci', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      throw new Error('lspci is not installed, so the live scan cannot be checked: install pciutils (apt-get install pciutils).', {
        cause: err,
      });
    }
    throw new Error(`lspci ${args.join(' ')} failed: ${e.message}`, { cause: err });
  }
}

/** `Name [1234]` → ['Name', '1234']; lspci's placeholder names for unknown ids become null. */
function nameAndId(field: string): [string | null, string] {
  const m = /^(.*) \[([0-9a-f]+)\]$/.exec(field);
  if (!m) throw new Error(`unexpected lspci field: ${field}`);
  const name = m[1] as string;
  const unknown = /^(Device|Unknown device|Vendor|Unknown vendor|Class|Unknown class) [0-9a-f]+$/i.test(name);
  return [unknown || name === 'Device' ? null : name, m[2] as string];
}

function parseVmm(text: string): LspciRecord[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const f = new Map<string, string>();
      for (const line of block.split('\n')) {
        const m = /^(\w+):\t(.*)$/.exec(line);
        if (m) f.set(m[1] as string, m[2] as string);
      }
      const [className, cls] = nameAndId(f.get('Class') ?? '');
      const [vendorName, vendorId] = nameAndId(f.get('Vendor') ?? '');
      const [deviceName, deviceId] = nameAndId(f.get('Device') ?? '');
      const sv = f.has('SVendor') ? nameAndId(f.get('SVendor') as string)[1] : null;
      const sd = f.has('SDevice') ? nameAndId(f.get('SDevice') as string)[1] : null;
      return {
        slot: f.get('Slot') ?? '',
        classId: cls,
        className,
        vendorId,
        vendorName,
        deviceId,
        deviceName,
        subsystemVendorId: sv,
        subsystemDeviceId: sd,
        revision: f.get('Rev') ?? null,
        progIf: f.get('ProgIf') ?? '00',
        driver: f.get('Driver') ?? null,
      };
    });
}

describe('live scan of this machine against lspci', () => {
  const devices = probePciDevices(new RootFs('/'));
  const records = parseVmm(lspci(['-D', '-vmm', '-nn', '-k']));

  it('sees the same functions', () => {
    expect(devices.map((d) => d.address)).toEqual(records.map((r) => r.slot));
    expect(devices.length).toBeGreaterThan(0);
  });

  it('agrees on ids, names, class and driver, device by device', () => {
    for (const r of records) {
      const d = devices.find((x) => x.address === r.slot);
      expect(d, r.slot).toBeDefined();
      if (d === undefined) continue;
      expect(
        {
          address: d.address,
          vendorId: d.vendorId,
          deviceId: d.deviceId,
          classId: d.classId,
          vendorName: d.vendorName,
          deviceName: d.deviceName,
          className: d.className,
          subsystemVendorId: d.subsystemVendorId,
          subsystemDeviceId: d.subsystemDeviceId,
          driver: d.driver,
        },
        r.slot,
      ).toEqual({
        address: r.slot,
        vendorId: r.vendorId,
        deviceId: r.deviceId,
        classId: r.classId + r.progIf,
        vendorName: r.vendorName,
        deviceName: r.deviceName,
        className: r.className,
        subsystemVendorId: r.subsystemVendorId,
        subsystemDeviceId: r.subsystemDeviceId,
        driver: r.driver,
      });
      // lspci omits a zero revision in -vmm output.
      expect(d.revision, `${r.slot} revision`).toBe(r.revision ?? '00');
    }
  });

  it('prints the same one-line summary as `lspci -nnk` for every device', () => {
    const lines = lspci(['-D', '-nn', '-k'])
      .split('\n')
      .filter((l) => /^[0-9a-f]{4}:/.test(l));
    expect(lines).toHaveLength(devices.length);
    for (const line of lines) {
      const d = devices.find((x) => line.startsWith(`${x.address} `));
      expect(d, line).toBeDefined();
      if (d === undefined) continue;
      const cls = `${d.className ?? 'Class'} [${d.classId.slice(0, 4)}]`;
      const vendor = d.vendorName ?? 'Device';
      const device = d.deviceName ?? 'Device';
      const prefix = `${d.address} ${cls}: ${vendor} ${device} [${d.vendorId}:${d.deviceId}]`;
      if (d.vendorName !== null) expect(line.startsWith(prefix), `${line}\n  vs ${prefix}`).toBe(true);
      else expect(line).toContain(`[${d.vendorId}:${d.deviceId}]`);
    }
  });

  it('names the subsystem as the "Subsystem:" line of `lspci -nnk` does', () => {
    const blocks = lspci(['-D', '-nn', '-k']).split(/\n(?=[0-9a-f]{4}:)/);
    for (const block of blocks) {
      const address = block.split(' ')[0] ?? '';
      const d = devices.find((x) => x.address === address);
      expect(d, address).toBeDefined();
      if (d === undefined) continue;
      const m = /\n\tSubsystem: (.*) \[([0-9a-f]{4}):([0-9a-f]{4})\]/.exec(block);
      if (m === null) {
        expect(d.subsystemVendorId, `${address} has no subsystem in lspci`).toBeNull();
        continue;
      }
      expect([d.subsystemVendorId, d.subsystemDeviceId], address).toEqual([m[2], m[3]]);
      const lspciName = m[1] as string;
      if (!/(Device|Unknown device) [0-9a-f]+$/.test(lspciName)) expect(d.subsystemName, address).toBe(lspciName);
    }
  });
});
