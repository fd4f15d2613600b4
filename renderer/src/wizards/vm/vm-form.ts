/**
 * The New-VM form as pure functions: the values as typed, each field's problem in words (shown
 * as the user types), the profile it submits (checked with the very schema main re-checks),
 * and what the host offers for each NIC kind: network functions to pass through, bridges.
 */
import type { HostScan, PassthroughState, PciDevice } from '#shared/model';
import { PASSTHROUGH_LABEL } from '../../lib/passthrough-words';
import type { VmDisplay, VmFirmware, VmProfile } from '#shared/vm';
import { VM_NAME_PATTERN } from '#shared/vm-names';
import { parseWhole } from '../sriov/sriov-form';

export type NicChoice = { kind: 'passthrough'; address: string } | { kind: 'bridge'; bridge: string } | { kind: 'nat' };

export interface VmFormValues {
  name: string;
  cpus: string;
  memoryMiB: string;
  firmware: VmFirmware;
  disk: string;
  diskFormat: 'qcow2' | 'raw';
  iso: string;
  display: VmDisplay;
  nics: NicChoice[];
}

export function initialVmForm(): VmFormValues {
  return { name: '', cpus: '2', memoryMiB: '2048', firmware: 'seabios', disk: '', diskFormat: 'qcow2', iso: '', display: 'vnc', nics: [{ kind: 'nat' }] };
}

export type VmFormProblems = Partial<Record<'name' | 'cpus' | 'memoryMiB' | 'disk' | 'iso' | 'nics', string>>;

function wholeProblem(text: string, what: string, min: number, max: number): string | null {
  const n = parseWhole(text);
  if (n === 'empty') return `Enter ${what}.`;
  if (typeof n !== 'number') return `${what[0]?.toUpperCase()}${what.slice(1)} must be a whole number.`;
  if (n < min || n > max) return `${what[0]?.toUpperCase()}${what.slice(1)} must be from ${min} to ${max}.`;
  return null;
}

function pathProblem(text: string, what: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  if (!t.startsWith('/')) return `Give the full path of the ${what}, starting with /.`;
  if (/[\0\n\r]/.test(t)) return `The ${what} path may not contain line breaks.`;
  return null;
}

/** What is wrong with each field (absent: nothing). `taken`: names of saved VMs. */
export function vmFormProblems(v: VmFormValues, taken: readonly string[]): VmFormProblems {
  const p: VmFormProblems = {};
  const name = v.name.trim();
  if (name === '') p.name = 'Enter a name.';
  else if (!VM_NAME_PATTERN.test(name)) p.name = 'Use 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  else if (taken.includes(name)) p.name = `A VM named ${name} exists already.`;
  const cpus = wholeProblem(v.cpus, 'the number of vCPUs', 1, 256);
  if (cpus) p.cpus = cpus;
  const mem = wholeProblem(v.memoryMiB, 'the memory in MiB', 16, 16 * 1024 * 1024);
  if (mem) p.memoryMiB = mem;
  const disk = pathProblem(v.disk, 'disk image');
  if (disk) p.disk = disk;
  const iso = pathProblem(v.iso, 'installer ISO');
  if (iso) p.iso = iso;
  const addresses = v.nics.flatMap((n) => (n.kind === 'passthrough' ? [n.address] : []));
  if (v.nics.some((n) => (n.kind === 'passthrough' && n.address === '') || (n.kind === 'bridge' && n.bridge === ''))) p.nics = 'Choose the device or bridge of every NIC.';
  else if (new Set(addresses).size !== addresses.length) p.nics = 'A device can be passed through only once.';
  return p;
}

/**
 * The profile the form describes, or null while a field is wrong. Main parses it with the
 * profile schema again (vm:preview, vm:create); the renderer does without zod (≈25 KiB gzip).
 */
export function profileFrom(v: VmFormValues, taken: readonly string[], now: Date): VmProfile | null {
  if (Object.keys(vmFormProblems(v, taken)).length > 0) return null;
  return {
    name: v.name.trim(),
    cpus: parseWhole(v.cpus) as number,
    memoryMiB: parseWhole(v.memoryMiB) as number,
    firmware: v.firmware,
    machine: 'q35',
    disks: v.disk.trim() ? [{ path: v.disk.trim(), format: v.diskFormat }] : [],
    iso: v.iso.trim() || null,
    display: v.display,
    nics: v.nics,
    createdAt: now.toISOString(),
  };
}

/** A network function that could be given to the VM, with its group's verdict and what stands in the way now. */
export interface PassthroughCandidate {
  address: string;
  /** `0000:01:10.0 enp1s0v0 82576 Virtual Function (VF)`. */
  label: string;
  driver: string | null;
  onVfio: boolean;
  group: number | null;
  /** The group's passthrough verdict (null without an IOMMU group). */
  verdict: PassthroughState | null;
  /** Why, one sentence each (the verdict's reasons, or why there is no group). */
  reasons: string[];
  /** The host's own network goes through it: never offered as ready. */
  management: boolean;
}

export function passthroughCandidates(scan: HostScan | null): PassthroughCandidate[] {
  if (!scan) return [];
  const groups = new Map(scan.groups.map((g) => [g.id, g]));
  const mgmt = new Set(scan.interfaces.filter((i) => i.management && i.device).map((i) => i.device as string));
  return scan.devices
    .filter((d: PciDevice) => d.classId.startsWith('02'))
    .map((d) => {
      const group = d.iommuGroup === null ? undefined : groups.get(d.iommuGroup);
      return {
        address: d.address,
        label: [d.address, ...d.interfaces, `${d.deviceName ?? d.deviceId}${d.physfn ? ' (VF)' : ''}`].join(' '),
        driver: d.driver,
        onVfio: d.driver === 'vfio-pci',
        group: d.iommuGroup,
        verdict: group?.passthrough.state ?? null,
        reasons: group ? group.passthrough.reasons : ['It is in no IOMMU group: the IOMMU is off, so nothing can be passed through.'],
        management: mgmt.has(d.address) || d.hostNeeds.some((n) => n.kind === 'management-nic'),
      };
    });
}

/** One line for the picker: the device, its driver, its group and verdict, and the management NIC flagged. */
export function candidateText(c: PassthroughCandidate): string {
  const group = c.group === null || c.verdict === null ? 'no IOMMU group' : `group ${c.group}: ${PASSTHROUGH_LABEL[c.verdict]}`;
  return `${c.label} — ${c.driver ?? 'no driver'}, ${group}${c.management ? ' — management NIC (carries the host network)' : ''}`;
}

export function bridgeCandidates(scan: HostScan | null): string[] {
  return scan
    ? scan.interfaces
        .filter((i) => i.kind === 'bridge')
        .map((i) => i.name)
        .sort()
    : [];
}
