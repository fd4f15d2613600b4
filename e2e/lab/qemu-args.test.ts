import { describe, expect, it } from 'vitest';
import { buildQemuArgs, kernelArgs, qemuEscape, type QemuArgsInput } from './qemu-args';
import { SCENARIOS, findScenario } from './scenarios';

const input = (name: string, extra: Partial<QemuArgsInput> = {}): QemuArgsInput => ({
  scenario: findScenario(name),
  kernelImage: '/boot/vmlinuz',
  initramfs: '/cache/initramfs.cpio',
  ioDir: '/tmp/run,1/io',
  controlSocket: '/tmp/run/control.sock',
  qmpSocket: '/tmp/run/qmp.sock',
  cpus: 2,
  ...extra,
});

const devices = (args: string[]): string[] => args.flatMap((a, i) => (args[i - 1] === '-device' ? [a] : []));

describe('buildQemuArgs', () => {
  it('puts the IOMMU before every PCI device and asks the kernel for it', () => {
    const args = buildQemuArgs(input('seed'));
    expect(devices(args)[0]).toBe('intel-iommu,intremap=on,caching-mode=on');
    expect(args).toContain('q35,kernel-irqchip=split');
    expect(kernelArgs(input('seed'))).toContain('intel_iommu=on');
  });

  it('has neither IOMMU device nor intel_iommu=on in no-iommu', () => {
    const args = buildQemuArgs(input('no-iommu'));
    expect(devices(args).some((d) => d.startsWith('intel-iommu'))).toBe(false);
    expect(args.join(' ')).not.toContain('intel_iommu');
  });

  it('keeps every NIC off the network (restrict=on) and forwards ports on the management NIC only', () => {
    const args = buildQemuArgs(input('seed', { forwards: [{ hostPort: 18080, guestPort: 8080 }] }));
    const netdevs = args.flatMap((a, i) => (args[i - 1] === '-netdev' ? [a] : []));
    expect(netdevs).toHaveLength(2);
    for (const n of netdevs) expect(n).toContain('restrict=on');
    expect(netdevs.filter((n) => n.includes('hostfwd=tcp:127.0.0.1:18080-:8080'))).toEqual(['user,id=net-mgmt,restrict=on,hostfwd=tcp:127.0.0.1:18080-:8080']);
  });

  it('doubles commas in paths inside option values', () => {
    expect(qemuEscape('a,b')).toBe('a,,b');
    expect(buildQemuArgs(input('seed')).some((a) => a.includes('path=/tmp/run,,1/io,'))).toBe(true);
  });

  it('gives each root port a unique chassis/slot and puts the shared NICs behind the PCI bridge', () => {
    for (const s of SCENARIOS) {
      const ports = devices(buildQemuArgs(input(s.name))).filter((d) => d.startsWith('pcie-root-port'));
      const ids = ports.map((p) => /chassis=(\d+),slot=(\d+)/.exec(p)?.slice(1).join('/'));
      expect(new Set(ids).size).toBe(ports.length);
    }
    const shared = devices(buildQemuArgs(input('shared-group')));
    expect(shared.filter((d) => d.includes('bus=pcibr'))).toHaveLength(2);
  });

  it('describes dozens of functions in many-vfs', () => {
    const s = findScenario('many-vfs');
    expect(s.enableAllVfs).toBe(true);
    expect(s.nics.filter((n) => n.model === 'igb').length * 8).toBeGreaterThanOrEqual(24);
  });
});
