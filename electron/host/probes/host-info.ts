import type { HostInfo } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { parseCpuinfo } from './cpuinfo';
import { iommuCmdlineArgs, kernelParams } from './kernel-cmdline';
import { kernelRelease, readTrim } from './sysfs-read';
import { probeVfioModules } from './vfio-modules';

const GROUPS = '/sys/kernel/iommu_groups';

/**
 * Everything the readiness checklist judges: kernel, command line, CPU virtualization,
 * /dev/kvm, the IOMMU (units, vendor, groups, default domain mode, interrupt remapping) and
 * the VFIO modules. Read-only and root-relative like every probe.
 */
export function probeHostInfo(fs: HostFs): HostInfo {
  const cmdline = readTrim(fs, '/proc/cmdline');
  const units = fs.list('/sys/class/iommu');
  const groups = fs.list(GROUPS).filter((n) => /^\d+$/.test(n));
  const enabled = units.length > 0 && groups.length > 0;
  return {
    kernel: kernelRelease(fs),
    cmdline,
    cpu: parseCpuinfo(fs.readText('/proc/cpuinfo')),
    kvm: fs.exists('/dev/kvm'),
    kvmAccessible: fs.accessibleRw('/dev/kvm'),
    iommu: {
      enabled,
      vendor: iommuVendor(units),
      units,
      groupCount: groups.length,
      mode: domainMode(groups.map((g) => readTrim(fs, `${GROUPS}/${g}/type`))),
      cmdlineArgs: cmdline === null ? [] : iommuCmdlineArgs(kernelParams(cmdline)),
      interruptRemapping: enabled ? interruptRemapping(fs.readText('/proc/interrupts')) : false,
    },
    vfio: probeVfioModules(fs),
  };
}

/**
 * IOMMU vendor from the unit names the drivers register: `dmarN` (Intel VT-d), `ivhdN`
 * (AMD-Vi), `smmu3.0x...` / `smmu.0x...` (Arm SMMU), otherwise the name without its number
 * (e.g. `virtio` for virtio-iommu).
 */
export function iommuVendor(units: string[]): string | null {
  const first = units[0];
  if (first === undefined) return null;
  if (first.startsWith('dmar')) return 'intel';
  if (first.startsWith('ivhd')) return 'amd';
  if (first.startsWith('smmu')) return 'arm-smmu';
  const prefix = first.replace(/[-_.]?[0-9].*$/, '');
  return prefix === '' ? first : prefix;
}

/**
 * The default DMA domain in effect, by majority over the groups' `type` files: `identity` is
 * passthrough mode (iommu=pt), `DMA`/`DMA-FQ` translated; null when no group says either.
 */
export function domainMode(types: Array<string | null>): HostInfo['iommu']['mode'] {
  let passthrough = 0;
  let translated = 0;
  for (const t of types) {
    if (t === 'identity') passthrough++;
    else if (t === 'DMA' || t === 'DMA-FQ') translated++;
  }
  if (passthrough === 0 && translated === 0) return null;
  return passthrough > translated ? 'passthrough' : 'translated';
}

/**
 * Whether interrupts go through the IOMMU's remapping table: remapped MSI/IO-APIC chips carry
 * an `IR-` prefix in /proc/interrupts (`IR-PCI-MSI`, `IR-IO-APIC`). Null when unreadable.
 */
export function interruptRemapping(interrupts: string | null): boolean | null {
  if (interrupts === null) return null;
  return /(^|\s)IR-/m.test(interrupts);
}
