/**
 * What the VMs page and the New-VM wizard get from main: saved profiles with their
 * live state, the preview of a start (checks in words, the exact qemu command line), the
 * outcome of a stop, the exports. The profile itself is shared/vm.ts.
 */
import type { ErrorCode } from './errors';
import type { VmMadeAgainst, VmProfile, VmStatus } from './vm';

/** A precondition of a VM start, explained; a `fail` stops the start (with `code`). */
export interface VmCheckView {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  remedy: string | null;
  code: ErrorCode;
  /**
   * The Passthru action that fixes it, as data: the window offers it as a button, the CLI prints
   * its command. The remedy above says it in words, so neither needs the other's syntax.
   */
  fix: VmFix | null;
}

/** An action of Passthru's own that clears a failed check. */
export type VmFix =
  /** Give the device (or its whole IOMMU group) to vfio-pci, owned by the user who starts VMs. */
  | { kind: 'assign'; address: string; wholeGroup: boolean }
  /** Turn the IOMMU on in the boot configuration (IOMMU boot settings), then reboot. */
  | { kind: 'iommu' }
  /** Stop another VM of ours that holds the device (the VMs page has its buttons). */
  | { kind: 'stop-vm'; name: string };

/** A saved VM (or a running qemu whose profile was deleted) with its state now. */
export interface VmSummary {
  name: string;
  profile: VmProfile | null;
  /** Why the profile could not be read, or that it was deleted while the VM runs. */
  problem: string | null;
  status: VmStatus | null;
}

/** What starting a profile would do: the checks and the qemu command, nothing started. */
export interface VmPreview {
  argv: string[];
  /** The same as one copyable shell line (each value quoted). */
  shell: string;
  accel: 'kvm' | 'tcg';
  /** Plain words about choices made (TCG because /dev/kvm is not usable, …). */
  notes: string[];
  checks: VmCheckView[];
  /**
   * null: computed against this machine, where the VM would run. Else the snapshot on screen:
   * a rehearsal — the devices, bridges and KVM of the checks are that host's (KVM as it was
   * captured), and nothing can be started from here.
   */
  against: VmMadeAgainst | null;
  /** Why a start is refused from here whatever the checks say (a snapshot is shown), or null. */
  startRefused: string | null;
}

export interface VmStopResult {
  how: 'powerdown' | 'quit' | 'sigterm' | 'sigkill' | 'not-running';
  notes: string[];
}

export interface VmExport {
  format: 'script' | 'libvirt';
  fileName: string;
  content: string;
}
