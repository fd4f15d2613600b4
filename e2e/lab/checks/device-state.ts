/**
 * The kernel's own view of PCI bindings, read inside a lab guest with plain shell (readlink,
 * cat, stat), so the assign/release tests never trust passthru's output about what it did.
 */
import type { LabHandle } from '../boot';
import { passthru } from './guest-facts';

/** One device as sysfs sees it: the `driver` link's target name and `driver_override`. */
export interface KernelDeviceState {
  driver: string | null;
  override: string | null;
  group: string | null;
}

/** Shell loop over every PCI function: one guest round trip instead of three per device. */
const STATE_SCRIPT = `for d in /sys/bus/pci/devices/*; do
  a=\${d##*/}
  drv=$(readlink "$d/driver" 2>/dev/null); drv=\${drv##*/}
  ovr=$(cat "$d/driver_override" 2>/dev/null)
  grp=$(readlink "$d/iommu_group" 2>/dev/null); grp=\${grp##*/}
  printf '%s|%s|%s|%s\\n' "$a" "$drv" "$ovr" "$grp"
done`;

/** Every PCI function's binding, keyed by address. `(null)` overrides read back as null. */
export async function kernelState(lab: LabHandle): Promise<Record<string, KernelDeviceState>> {
  const r = await lab.runOk(['sh', '-c', STATE_SCRIPT]);
  const out: Record<string, KernelDeviceState> = {};
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [addr, driver, override, group] = line.split('|');
    out[addr!] = {
      driver: driver || null,
      override: !override || override === '(null)' ? null : override,
      group: group || null,
    };
  }
  return out;
}

/** `stat -c %u` of /dev/vfio/N, or null when the node does not exist. */
export async function vfioNodeOwner(lab: LabHandle, group: string): Promise<number | null> {
  const r = await lab.run(['stat', '-c', '%u', `/dev/vfio/${group}`]);
  return r.code === 0 ? Number(r.stdout.trim()) : null;
}

/** Whether a path exists in the guest (persistence files). */
export async function guestFileExists(lab: LabHandle, file: string): Promise<boolean> {
  return (await lab.run(['test', '-e', file])).code === 0;
}

/** Runs the CLI in the guest with stdin not a terminal; parses stdout as JSON when it is. */
export async function runCli(lab: LabHandle, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: unknown }> {
  const r = await lab.run(passthru(...args), { stdin: '' });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = null;
  }
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, json };
}

/** A PF's SR-IOV state as the kernel has it: sriov_numvfs, virtfn links, autoprobe, and lspci's count of VFs. */
export interface KernelSriovState {
  numVfs: number;
  virtfns: string[];
  autoprobe: string;
  /** Functions lspci lists with the VF's vendor:device id. */
  lspciVfs: number;
}

export async function kernelSriov(lab: LabHandle, pf: string, vfId = '8086:10ca'): Promise<KernelSriovState> {
  const d = `/sys/bus/pci/devices/${pf}`;
  const r = await lab.runOk([
    'sh',
    '-c',
    [
      `cat ${d}/sriov_numvfs`,
      `cat ${d}/sriov_drivers_autoprobe`,
      `for l in ${d}/virtfn*; do [ -e "$l" ] && basename "$(readlink "$l")"; done | tr '\\n' ' '; echo`,
      `lspci -D -n -d ${vfId} | wc -l`,
    ].join('; '),
  ]);
  const [numVfs, autoprobe, virtfns, lspciVfs] = r.stdout.split('\n');
  return { numVfs: Number(numVfs), autoprobe: autoprobe!.trim(), virtfns: virtfns!.trim().split(' ').filter(Boolean).sort(), lspciVfs: Number(lspciVfs) };
}

/** `ip -j link show dev IF`'s VF table, as raw iproute2 JSON. */
export async function vfTable(
  lab: LabHandle,
  iface: string,
): Promise<{ vf: number; address: string; vlan_list?: { vlan?: number; qos?: number }[]; trust: boolean; spoofchk: boolean }[]> {
  const r = await lab.runOk(['ip', '-j', 'link', 'show', 'dev', iface]);
  return (JSON.parse(r.stdout) as { vfinfo_list?: never[] }[])[0]?.vfinfo_list ?? [];
}
