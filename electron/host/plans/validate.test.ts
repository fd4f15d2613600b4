import { describe, expect, it } from 'vitest';
import { PassthruError } from '#shared/errors';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { persistenceFiles } from '../formats/persistence-files';
import { parsePciAddress } from '#shared/pci-address';
import { allowedDrivers, resolveDevice, validateDriverName } from './validate';

function badInput(fn: () => unknown): PassthruError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PassthruError);
    expect((e as PassthruError).code).toBe('BAD_INPUT');
    expect((e as PassthruError).remedy).toBeTruthy();
    return e as PassthruError;
  }
  throw new Error('expected BAD_INPUT');
}

describe('parsePciAddress', () => {
  it('accepts full and short forms, lowercases', () => {
    expect(parsePciAddress('0000:01:00.0')).toBe('0000:01:00.0');
    expect(parsePciAddress('01:00.0')).toBe('0000:01:00.0');
    expect(parsePciAddress('0000:0A:1F.7')).toBe('0000:0a:1f.7');
  });
  it.each(['0000:01:00.0/../../etc', '0000:01:20.0', '0000:01:00.8', '', ' 0000:01:00.0', '0000:01:00.0\n', '0000:01:00', '1:0.0', '0000:01:00.0 ', '../x'])(
    'rejects %j',
    (bad) => void badInput(() => parsePciAddress(bad)),
  );
  it('says why for slot and function', () => {
    expect(badInput(() => parsePciAddress('0000:01:20.0')).message).toMatch(/slot 20/);
    expect(badInput(() => parsePciAddress('0000:01:00.8')).message).toMatch(/function 8/);
  });
});

describe('validateDriverName', () => {
  const allowed = allowedDrivers('igb');
  it('accepts the allowlist plus the recorded original', () => {
    expect(allowed).toEqual(['vfio-pci', 'pci-stub', 'igb']);
    expect(validateDriverName('vfio-pci', allowed)).toBe('vfio-pci');
    expect(validateDriverName('igb', allowed)).toBe('igb');
  });
  it.each(['vfio-pci\nnvme', '/', '..', 'nvme', '', 'vfio-pci '])('rejects %j', (bad) => void badInput(() => validateDriverName(bad, allowed)));
});

describe('resolveDevice', () => {
  it('finds a device by short address and names a missing one', async () => {
    const scan = await scanHost(new RootFs(`${__dirname}/../../../e2e/fixtures/seed`));
    expect(resolveDevice(scan, '01:00.0').driver).toBe('igb');
    expect(badInput(() => resolveDevice(scan, '0000:09:00.0')).message).toBe('No PCI device 0000:09:00.0 on this host.');
  });
});

describe('persistenceFiles', () => {
  it('is a per-address udev rule plus the modules-load entry', () => {
    const [rule, mod] = persistenceFiles('01:00.0');
    expect(rule?.path).toBe('/etc/udev/rules.d/90-passthru-0000:01:00.0.rules');
    expect(rule?.content).toContain('ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:01:00.0", ATTR{driver_override}="vfio-pci"');
    expect(mod).toEqual({ path: '/etc/modules-load.d/passthru-vfio.conf', content: expect.stringContaining('\nvfio-pci\n') });
    badInput(() => persistenceFiles('0000:01:00.0/../../etc'));
  });
});
