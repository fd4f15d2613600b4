import { describe, expect, it } from 'vitest';
import type { HostInfo, IommuGroup, ReadinessCheck } from '#shared/model';
import { assessReadiness } from './readiness';

function host(over: Partial<HostInfo> = {}, iommu: Partial<HostInfo['iommu']> = {}, vfio: Partial<HostInfo['vfio']> = {}): HostInfo {
  const base: HostInfo = {
    kernel: '6.8.0-45-generic',
    cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on iommu=pt',
    cpu: { vendor: 'GenuineIntel', virtualization: 'vmx', modelName: 'Intel(R) Core(TM) i7-8700' },
    kvm: true,
    kvmAccessible: true,
    iommu: {
      enabled: true,
      vendor: 'intel',
      units: ['dmar0', 'dmar1'],
      groupCount: 14,
      mode: 'passthrough',
      cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
      interruptRemapping: true,
    },
    vfio: { loaded: ['vfio', 'vfio_pci', 'vfio_iommu_type1'], available: ['vfio', 'vfio_pci', 'vfio_iommu_type1'], unsafeInterrupts: false },
  };
  return { ...base, ...over, iommu: { ...base.iommu, ...iommu }, vfio: { ...base.vfio, ...vfio } };
}

const groups: IommuGroup[] = [
  {
    id: 1,
    devices: ['0000:01:00.0'],
    viable: false,
    passthrough: { state: 'assignable', reasons: ['0000:01:00.0 is on igb.'], members: ['0000:01:00.0'], joinedBy: [], options: [] },
    blockers: [{ address: '0000:01:00.0', driver: 'igb' }],
    openBy: [],
  },
  {
    id: 2,
    devices: ['0000:02:00.0'],
    viable: true,
    passthrough: { state: 'ready', reasons: ['0000:02:00.0 is on vfio-pci.'], members: ['0000:02:00.0'], joinedBy: [], options: [] },
    blockers: [],
    openBy: [],
  },
];

function check(checks: ReadinessCheck[], id: ReadinessCheck['id']): ReadinessCheck {
  const c = checks.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no check ${id}`);
  return c;
}

describe('assessReadiness', () => {
  it('passes everything on a ready Intel host, in display order, without remedies', () => {
    const checks = assessReadiness(host(), [], groups);
    expect(checks.map((c) => c.id)).toEqual(['cpu-virtualization', 'kvm', 'iommu-enabled', 'iommu-mode', 'interrupt-remapping', 'vfio-modules', 'kernel-cmdline']);
    for (const c of checks) {
      expect(c.status, `${c.id}: ${c.detail}`).toBe('pass');
      expect(c.remedy).toBeNull();
      expect(c.detail.length).toBeGreaterThan(10);
    }
    expect(check(checks, 'iommu-enabled').detail).toContain('Intel VT-d (DMAR)');
    expect(check(checks, 'iommu-enabled').detail).toContain('of the groups: 1 ready for a VM, 1 assignable.');
    expect(check(checks, 'iommu-mode').detail).toContain('iommu=pt');
  });

  it('fails iommu-enabled on an Intel host without IOMMU, telling to enable VT-d and add intel_iommu=on', () => {
    const h = host({ cmdline: 'root=/dev/sda1 quiet' }, { enabled: false, vendor: null, units: [], groupCount: 0, mode: null, cmdlineArgs: [], interruptRemapping: false });
    const checks = assessReadiness(h, [], []);
    const iommu = check(checks, 'iommu-enabled');
    expect(iommu.status).toBe('fail');
    expect(iommu.detail).toContain('/sys/class/iommu is empty');
    expect(iommu.remedy).toMatch(/VT-d.*firmware.*intel_iommu=on/);
    expect(check(checks, 'kernel-cmdline')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'kernel-cmdline').remedy).toContain('intel_iommu=on');
    expect(check(checks, 'iommu-mode').status).toBe('warn');
    expect(check(checks, 'interrupt-remapping').status).toBe('warn');
  });

  it('fails iommu-enabled on an AMD host with amd_iommu=off and says to remove it', () => {
    const h = host(
      { cmdline: 'root=/dev/sda1 amd_iommu=off', cpu: { vendor: 'AuthenticAMD', virtualization: 'svm', modelName: 'AMD Ryzen 9 5950X' } },
      { enabled: false, vendor: null, units: [], groupCount: 0, mode: null, cmdlineArgs: ['amd_iommu=off'], interruptRemapping: false },
    );
    const checks = assessReadiness(h, [], []);
    expect(check(checks, 'iommu-enabled').remedy).toMatch(/AMD-Vi.*remove amd_iommu=off/);
    expect(check(checks, 'kernel-cmdline')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'kernel-cmdline').remedy).toContain('Remove amd_iommu=off');
    expect(check(checks, 'kvm').status).toBe('pass');
  });

  it('fails the CPU check without vmx/svm and the KVM check without /dev/kvm', () => {
    const checks = assessReadiness(host({ cpu: { vendor: 'GenuineIntel', virtualization: null, modelName: 'Intel Atom' }, kvm: false, kvmAccessible: false }), [], groups);
    expect(check(checks, 'cpu-virtualization')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'cpu-virtualization').remedy).toContain('VT-x');
    expect(check(checks, 'kvm')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'kvm').remedy).toContain('modprobe kvm_intel');
  });

  it('a virtual CPU without the vmx flag but with working /dev/kvm (nested) is a note, not a failure', () => {
    const nested = assessReadiness(
      host({ cpu: { vendor: 'GenuineIntel', virtualization: null, modelName: 'Intel Xeon Processor (Cascadelake)' }, kvm: true, kvmAccessible: true }),
      [],
      groups,
    );
    expect(check(nested, 'cpu-virtualization')).toMatchObject({ status: 'pass', detail: expect.stringContaining('nested virtualization') });
    expect(check(nested, 'kvm').status).toBe('pass');
  });

  it('warns when /dev/kvm is not accessible, passes with a note in a snapshot', () => {
    expect(check(assessReadiness(host({ kvmAccessible: false }), [], groups), 'kvm')).toMatchObject({ status: 'warn' });
    expect(check(assessReadiness(host({ kvmAccessible: false }), [], groups), 'kvm').remedy).toContain('usermod -aG kvm');
    const snap = check(assessReadiness(host({ kvmAccessible: null }), [], groups), 'kvm');
    expect(snap.status).toBe('pass');
    expect(snap.detail).toContain('not checked');
  });

  it('judges interrupt remapping: fail, warn with unsafe interrupts, warn when unknown', () => {
    const off = check(assessReadiness(host({}, { interruptRemapping: false }), [], groups), 'interrupt-remapping');
    expect(off.status).toBe('fail');
    expect(off.remedy).toContain('allow_unsafe_interrupts');
    const unsafe = check(assessReadiness(host({}, { interruptRemapping: false }, { unsafeInterrupts: true }), [], groups), 'interrupt-remapping');
    expect(unsafe.status).toBe('warn');
    expect(check(assessReadiness(host({}, { interruptRemapping: null }), [], groups), 'interrupt-remapping').status).toBe('warn');
  });

  it('warns when VFIO is available but not loaded, fails when the kernel lacks it', () => {
    const notLoaded = check(assessReadiness(host({}, {}, { loaded: ['vfio'] }), [], groups), 'vfio-modules');
    expect(notLoaded.status).toBe('warn');
    expect(notLoaded.remedy).toContain('sudo modprobe vfio-pci');
    expect(notLoaded.detail).toContain('vfio_pci, vfio_iommu_type1');
    const missing = check(assessReadiness(host({}, {}, { loaded: [], available: [] }), [], groups), 'vfio-modules');
    expect(missing.status).toBe('fail');
    expect(missing.detail).toContain('6.8.0-45-generic');
  });

  it('passes translated mode and explains it; warns on the ACS override', () => {
    const translated = check(assessReadiness(host({}, { mode: 'translated', cmdlineArgs: ['intel_iommu=on'] }), [], groups), 'iommu-mode');
    expect(translated.status).toBe('pass');
    expect(translated.detail).toContain('Translated');
    const acs = host({ cmdline: 'intel_iommu=on pcie_acs_override=downstream,multifunction' }, { cmdlineArgs: ['intel_iommu=on', 'pcie_acs_override=downstream,multifunction'] });
    expect(check(assessReadiness(acs, [], groups), 'kernel-cmdline').status).toBe('warn');
  });
});
