import type { HostInfo, IommuGroup, PciDevice, ReadinessCheck } from '#shared/model';
import { kernelParams, paramValue } from './probes/kernel-cmdline';

type Cpu = 'intel' | 'amd' | 'other';

/**
 * The Overview checklist: can this host give a PCI device to a VM, and if not, what exactly
 * to do. Each line states what was found (the evidence) and a concrete remedy; the order is
 * the order a user fixes things in (firmware and CPU first, modules last).
 */
export function assessReadiness(host: HostInfo, devices: PciDevice[], groups: IommuGroup[]): ReadinessCheck[] {
  const cpu = cpuKind(host);
  const params = host.cmdline === null ? [] : kernelParams(host.cmdline);
  return [
    checkCpu(host, cpu),
    checkKvm(host, cpu),
    checkIommu(host, cpu, params, devices, groups),
    checkIommuMode(host),
    checkInterruptRemapping(host),
    checkVfio(host),
    checkCmdline(host, cpu, params),
  ];
}

function cpuKind(host: HostInfo): Cpu {
  const vendor = host.cpu.vendor ?? '';
  if (vendor === 'GenuineIntel' || host.cpu.virtualization === 'vmx' || host.iommu.vendor === 'intel') return 'intel';
  if (vendor === 'AuthenticAMD' || vendor === 'HygonGenuine' || host.cpu.virtualization === 'svm') return 'amd';
  if (host.iommu.vendor === 'amd') return 'amd';
  return 'other';
}

const FIRMWARE_VT = {
  intel: 'Intel Virtualization Technology (VT-x)',
  amd: 'SVM Mode (AMD-V)',
  other: 'hardware virtualization (VT-x / AMD-V)',
} as const;

const FIRMWARE_IOMMU = {
  intel: 'VT-d (often under "Chipset" or "System Agent")',
  amd: 'IOMMU / AMD-Vi (often under "AMD CBS" or "NBIO")',
  other: 'VT-d / AMD-Vi (the IOMMU)',
} as const;

function checkCpu(host: HostInfo, cpu: Cpu): ReadinessCheck {
  const model = host.cpu.modelName ?? host.cpu.vendor ?? 'this CPU';
  const base = { id: 'cpu-virtualization', title: 'CPU virtualization' } as const;
  if (host.cpu.virtualization !== null) {
    const name = host.cpu.virtualization === 'vmx' ? 'Intel VT-x (vmx)' : 'AMD-V (svm)';
    return { ...base, status: 'pass', detail: `${model} offers ${name}.`, remedy: null };
  }
  // A virtual CPU (this host is itself a VM) may hide the flag while its hypervisor gives it
  // working KVM: what matters is /dev/kvm, which the next line checks. Say so, do not fail.
  if (host.kvm && host.kvmAccessible !== false) {
    return {
      ...base,
      status: 'pass',
      detail: `/proc/cpuinfo shows neither vmx nor svm for ${model}, but /dev/kvm exists${host.kvmAccessible === true ? ' and opens' : ''}: the hypervisor below this machine gives it KVM (nested virtualization).`,
      remedy: null,
    };
  }
  return {
    ...base,
    status: 'fail',
    detail: `/proc/cpuinfo shows neither the vmx nor the svm flag for ${model}: hardware virtualization is off or absent.`,
    remedy:
      `Enable ${FIRMWARE_VT[cpu]} in the firmware (BIOS/UEFI) setup and reboot. ` + 'If this machine is itself a virtual machine, enable nested virtualization on its hypervisor.',
  };
}

function checkKvm(host: HostInfo, cpu: Cpu): ReadinessCheck {
  const base = { id: 'kvm', title: 'KVM (/dev/kvm)' } as const;
  const module = cpu === 'amd' ? 'kvm_amd' : cpu === 'intel' ? 'kvm_intel' : 'kvm_intel (or kvm_amd)';
  if (!host.kvm) {
    return {
      ...base,
      status: 'fail',
      detail: '/dev/kvm does not exist: the KVM modules are not loaded, so VMs cannot use hardware acceleration.',
      remedy: `sudo modprobe ${module} — if that fails, enable CPU virtualization in the firmware first.`,
    };
  }
  if (host.kvmAccessible === false) {
    return {
      ...base,
      status: 'warn',
      detail: '/dev/kvm exists, but your user cannot open it read-write, so VMs started as you will not get KVM.',
      remedy: 'sudo usermod -aG kvm "$USER", then log out and back in.',
    };
  }
  const access = host.kvmAccessible === null ? ' (access rights were not checked: not the live host)' : ' and is usable by you';
  return { ...base, status: 'pass', detail: `/dev/kvm exists${access}.`, remedy: null };
}

function checkIommu(host: HostInfo, cpu: Cpu, params: string[], devices: PciDevice[], groups: IommuGroup[]): ReadinessCheck {
  const base = { id: 'iommu-enabled', title: 'IOMMU enabled' } as const;
  const { iommu } = host;
  if (iommu.enabled) {
    const vendor = iommu.vendor === 'intel' ? 'Intel VT-d (DMAR)' : iommu.vendor === 'amd' ? 'AMD-Vi' : `${iommu.vendor ?? 'An'} IOMMU`;
    const grouped = devices.filter((d) => d.iommuGroup !== null).length;
    const count = (state: IommuGroup['passthrough']['state']) => groups.filter((g) => g.passthrough.state === state).length;
    const verdicts = [
      `${count('ready')} ready for a VM`,
      `${count('assignable')} assignable`,
      `${count('shared')} shared`,
      `${count('blocked')} blocked by what the host needs`,
      `${count('host-only')} bridges only`,
    ].filter((t) => !t.startsWith('0 '));
    return {
      ...base,
      status: 'pass',
      detail:
        `${vendor} is active with ${plural(iommu.units.length, 'unit')} (${iommu.units.join(', ')}) and ` +
        `${plural(iommu.groupCount, 'IOMMU group')}; ${grouped} of ${devices.length} PCI functions are in a group, ` +
        `of the groups: ${verdicts.join(', ') || 'none'}.`,
      remedy: null,
    };
  }
  const off = params.filter((p) => /^(intel_iommu|amd_iommu|iommu)=off$/.test(p));
  const found =
    iommu.units.length > 0
      ? `IOMMU units are registered (${iommu.units.join(', ')}) but there are no IOMMU groups`
      : iommu.groupCount > 0
        ? `there are ${plural(iommu.groupCount, 'IOMMU group')} but no IOMMU unit under /sys/class/iommu`
        : 'no IOMMU is active: /sys/class/iommu is empty and there are no IOMMU groups';
  const disabled = off.length > 0 ? ` The kernel command line turns it off (${off.join(' ')}).` : '';
  return {
    ...base,
    status: 'fail',
    detail: `${capitalise(found)}, so no device can be given to a VM.${disabled}`,
    remedy: iommuRemedy(cpu, off),
  };
}

function iommuRemedy(cpu: Cpu, off: string[]): string {
  const remove = off.length > 0 ? `remove ${off.join(' ')} from the kernel command line, ` : '';
  if (cpu === 'intel') {
    return `Enable ${FIRMWARE_IOMMU.intel} in the firmware and ${remove}add intel_iommu=on to the kernel command line, then reboot.`;
  }
  if (cpu === 'amd') {
    return `Enable ${FIRMWARE_IOMMU.amd} in the firmware${off.length > 0 ? ` and ${remove.replace(/, $/, '')}` : ''}, then reboot (AMD kernels turn the IOMMU on by themselves once the firmware exposes it).`;
  }
  return `Enable ${FIRMWARE_IOMMU.other} in the firmware and ${remove}add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel command line, then reboot.`;
}

function checkIommuMode(host: HostInfo): ReadinessCheck {
  const base = { id: 'iommu-mode', title: 'IOMMU mode' } as const;
  const { iommu } = host;
  const args = iommu.cmdlineArgs.filter((a) => /^(iommu|iommu\.passthrough|iommu\.strict)=/.test(a));
  const evidence = args.length > 0 ? ` (kernel command line: ${args.join(' ')})` : '';
  if (!iommu.enabled || iommu.mode === null) {
    return {
      ...base,
      status: 'warn',
      detail: iommu.enabled ? 'The IOMMU groups do not say which DMA mode is in use (no readable type file).' : 'Not applicable yet: the IOMMU is off.',
      remedy: iommu.enabled ? null : 'Turn the IOMMU on first (see "IOMMU enabled").',
    };
  }
  if (iommu.mode === 'passthrough') {
    return {
      ...base,
      status: 'pass',
      detail: `Passthrough (identity) mode${evidence}: host devices skip DMA translation for speed; devices given to VMs are still isolated.`,
      remedy: null,
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `Translated DMA mode${evidence}: every host device goes through the IOMMU (most isolation, small I/O cost). Fine for passthrough; iommu=pt on the kernel command line would trade host-side isolation for speed.`,
    remedy: null,
  };
}

function checkInterruptRemapping(host: HostInfo): ReadinessCheck {
  const base = { id: 'interrupt-remapping', title: 'Interrupt remapping' } as const;
  const { iommu, vfio } = host;
  if (!iommu.enabled) {
    return {
      ...base,
      status: 'warn',
      detail: 'Not applicable yet: interrupt remapping is done by the IOMMU, which is off.',
      remedy: 'Turn the IOMMU on first (see "IOMMU enabled").',
    };
  }
  if (iommu.interruptRemapping === true) {
    return { ...base, status: 'pass', detail: 'Active: /proc/interrupts shows IR- (remapped) interrupt chips.', remedy: null };
  }
  if (iommu.interruptRemapping === null) {
    return {
      ...base,
      status: 'warn',
      detail: 'Unknown: /proc/interrupts could not be read.',
      remedy: 'Run the scan on the live host (or as a user who can read /proc/interrupts).',
    };
  }
  const fix =
    'Enable interrupt remapping in the firmware (it comes with VT-d / AMD-Vi; some boards list it separately) and ' +
    'make sure intremap=off, nointremap or amd_iommu_intr=legacy are not on the kernel command line, then reboot.';
  if (vfio.unsafeInterrupts === true) {
    return {
      ...base,
      status: 'warn',
      detail:
        'Not active (no IR- interrupt chips in /proc/interrupts). VFIO accepts devices anyway because ' +
        'vfio_iommu_type1 allow_unsafe_interrupts=Y, which lets a VM forge interrupts to the host.',
      remedy: fix,
    };
  }
  return {
    ...base,
    status: 'fail',
    detail: 'Not active (no IR- interrupt chips in /proc/interrupts): vfio_iommu_type1 will refuse to give devices to VMs.',
    remedy: `${fix} Last resort, insecure: options vfio_iommu_type1 allow_unsafe_interrupts=1 in /etc/modprobe.d/vfio.conf.`,
  };
}

function checkVfio(host: HostInfo): ReadinessCheck {
  const base = { id: 'vfio-modules', title: 'VFIO modules' } as const;
  const { loaded, available } = host.vfio;
  const all = ['vfio', 'vfio_pci', 'vfio_iommu_type1'];
  const notLoaded = all.filter((m) => !loaded.includes(m));
  const missing = all.filter((m) => !available.includes(m));
  if (notLoaded.length === 0) {
    return { ...base, status: 'pass', detail: `Loaded: ${all.join(', ')}.`, remedy: null };
  }
  if (missing.length === 0) {
    return {
      ...base,
      status: 'warn',
      detail: `Available for this kernel but not loaded: ${notLoaded.join(', ')}${loaded.length > 0 ? ` (loaded: ${loaded.join(', ')})` : ''}. Passthru loads them when it assigns a device.`,
      remedy: 'sudo modprobe vfio-pci (this loads vfio and vfio_iommu_type1 too); to load it at every boot: ' + 'echo vfio-pci | sudo tee /etc/modules-load.d/vfio-pci.conf',
    };
  }
  const kernel = host.kernel ?? '(unknown)';
  return {
    ...base,
    status: 'fail',
    detail: `Not loaded, and not shipped for the running kernel ${kernel}: ${missing.join(', ')} (looked in /sys/module, and in modules.dep and modules.builtin under /lib/modules/${kernel}).`,
    remedy:
      'Install the modules of the running kernel (Debian: sudo apt install linux-image-$(uname -r); Ubuntu: also ' +
      "linux-modules-extra-$(uname -r)) or boot your distribution's standard kernel; a self-built kernel needs CONFIG_VFIO_PCI=m.",
  };
}

function checkCmdline(host: HostInfo, cpu: Cpu, params: string[]): ReadinessCheck {
  const base = { id: 'kernel-cmdline', title: 'Kernel command line' } as const;
  if (host.cmdline === null) {
    return { ...base, status: 'warn', detail: '/proc/cmdline could not be read.', remedy: null };
  }
  const args = host.iommu.cmdlineArgs;
  const shown = args.length > 0 ? args.join(' ') : 'none';
  const blocking = params.filter((p) => /^(intel_iommu=off|amd_iommu=off|iommu=off|intremap=off|nointremap|amd_iommu_intr=legacy)$/.test(p));
  if (blocking.length > 0) {
    return {
      ...base,
      status: 'fail',
      detail: `IOMMU-related arguments: ${shown}. ${blocking.join(' ')} switches off what passthrough needs.`,
      remedy: `Remove ${blocking.join(' ')} from the kernel command line (GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub) and reboot.`,
    };
  }
  const intelOn = paramValue(params, 'intel_iommu');
  if (cpu === 'intel' && !host.iommu.enabled && intelOn === null) {
    return {
      ...base,
      status: 'fail',
      detail: `IOMMU-related arguments: ${shown}. Intel kernels usually need intel_iommu=on to turn VT-d on, and it is missing.`,
      remedy: 'Add intel_iommu=on (and optionally iommu=pt) to the kernel command line and reboot; Passthru\'s "IOMMU boot settings" wizard does this through your bootloader.',
    };
  }
  const override = params.filter((p) => p.startsWith('pcie_acs_override='));
  if (override.length > 0) {
    return {
      ...base,
      status: 'warn',
      detail: `IOMMU-related arguments: ${shown}. ${override.join(' ')} makes the kernel pretend devices are isolated when the hardware does not guarantee it.`,
      remedy: "Only keep the ACS override if you accept that devices sharing a real group can reach each other's memory; otherwise remove it.",
    };
  }
  const note = args.length > 0 ? 'Nothing on it stands in the way of passthrough.' : 'The defaults are in effect, and the IOMMU state is shown above.';
  return { ...base, status: 'pass', detail: `IOMMU-related arguments: ${shown}. ${note}`, remedy: null };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
