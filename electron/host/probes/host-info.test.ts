import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { debianKernelRelease } from '../testing/debian-kernel';
import { buildFakeHost, labHostSpec, type FakeHostSpec } from '../testing/fake-sysfs';
import { firstProcessorBlock, parseCpuinfo } from './cpuinfo';
import { domainMode, interruptRemapping, iommuVendor, probeHostInfo } from './host-info';
import { iommuCmdlineArgs, kernelParams, paramValue } from './kernel-cmdline';
import { vfioModulesListed } from './vfio-modules';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
function hostOf(spec: FakeHostSpec) {
  const root = buildFakeHost(spec);
  roots.push(root);
  return probeHostInfo(new RootFs(root));
}

describe('probeHostInfo', () => {
  it('reads the lab host completely', () => {
    expect(hostOf(labHostSpec())).toEqual({
      kernel: '6.1.0-lab',
      cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro intel_iommu=on iommu=pt quiet',
      cpu: { vendor: 'GenuineIntel', virtualization: 'vmx', modelName: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz' },
      kvm: true,
      kvmAccessible: null, // not the live host
      iommu: {
        enabled: true,
        vendor: 'intel',
        units: ['dmar0'],
        groupCount: 9,
        mode: 'passthrough',
        cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
        interruptRemapping: true,
      },
      vfio: {
        loaded: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
        available: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
        unsafeInterrupts: false,
      },
    });
  });

  it('reports a host without IOMMU, KVM or VFIO as such', () => {
    const host = hostOf({
      cpuinfo: 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2\n\n',
      kvm: false,
      interrupts: null,
      devices: [],
    });
    expect(host.cpu).toEqual({ vendor: 'AuthenticAMD', virtualization: null, modelName: 'AMD EPYC' });
    expect(host.kvm).toBe(false);
    expect(host.iommu).toEqual({
      enabled: false,
      vendor: null,
      units: [],
      groupCount: 0,
      mode: null,
      cmdlineArgs: [],
      interruptRemapping: false,
    });
    expect(host.vfio).toEqual({ loaded: [], available: [], unsafeInterrupts: null });
  });

  it('finds VFIO shipped but not loaded, translated mode, no remapping, unsafe interrupts', () => {
    const spec = labHostSpec();
    spec.loadedModules = ['vfio_iommu_type1'];
    spec.moduleParams = { vfio_iommu_type1: { allow_unsafe_interrupts: 'Y' } };
    spec.groupType = 'DMA-FQ';
    spec.interrupts = '  24:  0  PCI-MSI-0000:01:00.0  0-edge  enp1s0\n';
    spec.iommuUnits = ['ivhd0', 'ivhd1'];
    const host = hostOf(spec);
    expect(host.vfio).toEqual({ loaded: ['vfio_iommu_type1'], available: ['vfio', 'vfio_pci', 'vfio_iommu_type1'], unsafeInterrupts: true });
    expect(host.iommu).toMatchObject({ vendor: 'amd', mode: 'translated', interruptRemapping: false, units: ['ivhd0', 'ivhd1'] });
  });

  it('leaves interrupt remapping unknown when /proc/interrupts is unreadable', () => {
    const spec = labHostSpec();
    spec.interrupts = null;
    expect(hostOf(spec).iommu.interruptRemapping).toBeNull();
  });
});

describe('parsers', () => {
  it('splits the kernel command line like the kernel, stopping at --', () => {
    expect(kernelParams('BOOT_IMAGE=/vmlinuz  root=UUID=1 acpi_osi="Windows 2015" quiet -- --init-arg x')).toEqual([
      'BOOT_IMAGE=/vmlinuz',
      'root=UUID=1',
      'acpi_osi=Windows 2015',
      'quiet',
    ]);
    expect(paramValue(['iommu=off', 'iommu=pt'], 'iommu')).toBe('pt');
    expect(paramValue(['nointremap'], 'nointremap')).toBe('');
    expect(paramValue([], 'iommu')).toBeNull();
  });

  it('picks the IOMMU/VFIO arguments only', () => {
    const params = kernelParams(
      'root=/dev/sda1 intel_iommu=on,sm_on amd_iommu=off iommu=pt iommu.passthrough=1 iommu.strict=0 intremap=no_x2apic_optout ' +
        'vfio-pci.ids=8086:10c9,10de:1b80 vfio_iommu_type1.allow_unsafe_interrupts=1 pcie_acs_override=downstream ' +
        'pci=noats pci=nocrs rd.driver.pre=vfio-pci modprobe.blacklist=nouveau quiet splash',
    );
    expect(iommuCmdlineArgs(params)).toEqual([
      'intel_iommu=on,sm_on',
      'amd_iommu=off',
      'iommu=pt',
      'iommu.passthrough=1',
      'iommu.strict=0',
      'intremap=no_x2apic_optout',
      'vfio-pci.ids=8086:10c9,10de:1b80',
      'vfio_iommu_type1.allow_unsafe_interrupts=1',
      'pcie_acs_override=downstream',
      'pci=noats',
      'rd.driver.pre=vfio-pci',
      'modprobe.blacklist=nouveau',
    ]);
  });

  it('reads the first processor block of /proc/cpuinfo', () => {
    const text = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9\nflags\t\t: fpu svm npt\n\nprocessor\t: 1\nvendor_id\t: X\n';
    expect(firstProcessorBlock(text)).toBe('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9\nflags\t\t: fpu svm npt\n');
    expect(parseCpuinfo(text)).toEqual({ vendor: 'AuthenticAMD', virtualization: 'svm', modelName: 'AMD Ryzen 9' });
    expect(parseCpuinfo('processor : 0\nCPU implementer : 0x41\nFeatures : fp asimd\n')).toEqual({ vendor: null, virtualization: null, modelName: null });
    expect(parseCpuinfo(null).vendor).toBeNull();
  });

  it('names IOMMU vendors from unit names', () => {
    expect(iommuVendor(['dmar0', 'dmar1'])).toBe('intel');
    expect(iommuVendor(['ivhd0'])).toBe('amd');
    expect(iommuVendor(['smmu3.0x0000000009050000'])).toBe('arm-smmu');
    expect(iommuVendor(['virtio0'])).toBe('virtio');
    expect(iommuVendor([])).toBeNull();
  });

  it('derives the DMA mode by majority and detects IR- chips', () => {
    expect(domainMode(['identity', 'identity', 'DMA'])).toBe('passthrough');
    expect(domainMode(['DMA-FQ', 'DMA', null, 'blocked'])).toBe('translated');
    expect(domainMode([null, 'unmanaged'])).toBeNull();
    expect(interruptRemapping(' 25:  0  0  IR-IO-APIC    9-fasteoi   acpi\n')).toBe(true);
    expect(interruptRemapping(' 25:  0  0  IO-APIC    9-fasteoi   acpi\n 26: PCI-MSI-IRQ\n')).toBe(false);
    expect(interruptRemapping(null)).toBeNull();
  });

  it('finds VFIO modules in modules.dep and modules.builtin, compressed or not', () => {
    const dep = [
      'kernel/drivers/gpu/drm/i915/kvmgt.ko: kernel/drivers/vfio/vfio.ko',
      'kernel/drivers/vfio/vfio.ko.zst:',
      'kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz',
      'kernel/drivers/vfio/pci/vfio-pci-core.ko.xz:',
    ].join('\n');
    expect(vfioModulesListed(dep).sort()).toEqual(['vfio', 'vfio_pci']);
    expect(vfioModulesListed('kernel/drivers/vfio/vfio_iommu_type1.ko\n')).toEqual(['vfio_iommu_type1']);
    expect(vfioModulesListed(null)).toEqual([]);
  });

  it('finds VFIO in the lab kernel modules.dep (the installed Debian kernel)', () => {
    const dep = fs.readFileSync(`/lib/modules/${debianKernelRelease()}/modules.dep`, 'utf8');
    expect(vfioModulesListed(dep).sort()).toEqual(['vfio', 'vfio_iommu_type1', 'vfio_pci']);
  });
});
