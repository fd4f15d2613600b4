/**
 * Plans: every change Passthru makes is first a plan — checks, steps in plain words with the
 * exact shell equivalent, what is verified after each step and how it is undone — shown to the
 * user, then applied step by step with verification and rollback. The renderer only
 * ever sees plans and refers to them by id; the steps it runs are the ones main planned.
 */
import type { BridgePlanDetail } from './bridge';
import type { ConfirmWindow, LiveCheckResult, PendingConfirm } from './confirm-window';
import type { PciAddress } from './model';

/**
 * The probe expectation "whatever the kernel binds, as long as it is not vfio-pci". Contains
 * a character no driver name may have, so it can never be mistaken for one.
 */
export const KERNEL_CHOOSES = '<kernel chooses>' as const;

/**
 * assign/release: vfio-pci; sriov: the number of VFs; vf-config: one VF's MAC, VLAN, trust,
 * spoof check; iommu: the IOMMU kernel arguments in the boot configuration; vm-network: a VM's
 * tap devices; bridge: a Linux bridge over a host NIC (created or removed through the host's
 * network stack); confirm: keep a change that waits for confirmation.
 */
export const PLAN_KINDS = ['assign', 'release', 'undo', 'sriov', 'vf-config', 'iommu', 'vm-network', 'bridge', 'confirm'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

/** What the IOMMU wizard was asked: turn the IOMMU on (with iommu=pt, VFIO modules early) or off. */
export interface IommuIntent {
  action: 'enable' | 'disable';
  /** enable: add iommu=pt. Ignored by disable (which removes every argument Passthru adds). */
  pt: boolean;
  /**
   * enable: put the VFIO modules in the initramfs. disable: removes them when present — or,
   * with `only`, only when this is true (the enable being undone wrote them).
   */
  earlyVfio: boolean;
  /**
   * disable only: remove just these of Passthru's arguments (the undo of one enable removes
   * what that enable added, and keeps what was there before). Absent: all of them.
   */
  only?: string[];
  /**
   * disable only, with `only`: the arguments the enable being undone took out (an
   * `intel_iommu=off` it replaced), put back where they were, so the undo is exact.
   */
  restore?: string[];
}

/** A precondition, explained. A `fail` refuses the plan unless `forceable` and forced. */
export interface PlanCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  remedy: string | null;
  /** A failed check the user may override (e.g. the management NIC, by typing its name). */
  forceable: boolean;
}

/**
 * One privileged operation: a fixed verb with arguments. The executor (in-process as root, or
 * the pkexec helper) re-validates every argument against the devices that exist.
 */
export type OpCall =
  /** Write the driver name (or "\n" to clear, when null) to driver_override. */
  | { verb: 'set-driver-override'; address: PciAddress; driver: string | null }
  /** Write the address to /sys/bus/pci/drivers/<driver>/unbind. */
  | { verb: 'unbind'; address: PciAddress; driver: string }
  /**
   * Write the address to /sys/bus/pci/drivers_probe; `expectDriver` is what should bind (null:
   * none), or `KERNEL_CHOOSES` when nothing recorded what drove the device before (a release
   * without a journal record): then any driver but vfio-pci, or none, is the expected outcome.
   */
  | { verb: 'probe'; address: PciAddress; expectDriver: string | null | typeof KERNEL_CHOOSES }
  /** modprobe a module from the allowlist. */
  | { verb: 'load-module'; module: 'vfio-pci' }
  /** chown /dev/vfio/<group> to the desktop user (so qemu need not run as root). */
  | { verb: 'set-vfio-owner'; group: number; uid: number; gid: number }
  /** Write the persistence files for one device (udev rule etc.); contents are in the step. */
  | { verb: 'write-persistence'; address: PciAddress; driver: 'vfio-pci' }
  /** Remove the persistence files written for one device. */
  | { verb: 'remove-persistence'; address: PciAddress }
  /** Write `count` to the PF's sriov_numvfs (the kernel refuses N→M unless one of them is 0). */
  | { verb: 'set-sriov-numvfs'; address: PciAddress; count: number }
  /** Write 1/0 to the PF's sriov_drivers_autoprobe: whether new VFs get a host driver. */
  | { verb: 'set-sriov-autoprobe'; address: PciAddress; enabled: boolean }
  /**
   * `ip link set dev <PF's interface> vf <vf> ...` with the given settings; the interface is
   * looked up from sysfs when the op runs, never taken from the plan.
   */
  | { verb: 'set-vf'; address: PciAddress; vf: number; settings: VfChange }
  /** Write the boot-time rule that recreates the PF's VFs (contents are in the step). */
  | { verb: 'write-sriov-persistence'; address: PciAddress; numVfs: number; autoprobe: boolean }
  /** Remove that rule. */
  | { verb: 'remove-sriov-persistence'; address: PciAddress }
  /**
   * Change the kernel command line in the boot configuration. Carries no file contents and no
   * commands: the executor detects the boot setup itself and plans `intent` again, and with a
   * non-null `digest` (sha256 of the files, commands and backups the user was shown, see
   * electron/host/iommu/digest.ts) refuses unless its own plan is exactly that one.
   */
  | { verb: 'apply-boot-config'; intent: IommuIntent; digest: string | null }
  /**
   * A VM's tap device: created owned by `uid` (the user who runs qemu), attached to
   * `bridge` and up. Only taps named the way Passthru names them (shared/vm.ts vmTapName).
   */
  | { verb: 'create-tap'; tap: string; bridge: string; uid: number }
  /** Delete one of Passthru's tap devices. */
  | { verb: 'remove-tap'; tap: string }
  /**
   * Replace a network stack's configuration file with `content` (null: remove it), only when
   * it still is what the plan read (`expectSha256`, null: absent) — so the undo restores it
   * byte for byte and never overwrites an edit made since.
   */
  | { verb: 'write-network-file'; path: string; content: string | null; expectSha256: string | null }
  /** `ifup`/`ifdown` one interface, as ifupdown's files configure it. */
  | { verb: 'ifupdown'; action: 'up' | 'down'; iface: string }
  /** How the kernel makes an interface's IPv6 link-local address (bridge-utils turns it off on a port). */
  | { verb: 'set-addrgenmode'; iface: string; mode: AddrGenMode }
  /** Keep a change that waits for confirmation (its revert timer then stands down). */
  | { verb: 'keep-change'; journalId: string };

/** The kernel's IPv6 address generation modes, as `ip link set … addrgenmode` names them (addr_gen_mode 0–3). */
export const ADDR_GEN_MODES = ['eui64', 'none', 'stable_secret', 'random'] as const;
export type AddrGenMode = (typeof ADDR_GEN_MODES)[number];

/** The VF settings a set-vf op changes; absent fields are left alone. */
export interface VfChange {
  /** Unicast MAC, lower-case six hex pairs; 00:00:00:00:00:00 clears an administratively set MAC. */
  mac?: string;
  /** 0 (untagged) to 4095. */
  vlan?: number;
  /** 802.1p priority 0–7, only with a VLAN. */
  qos?: number;
  trust?: boolean;
  spoofCheck?: boolean;
  linkState?: 'auto' | 'enable' | 'disable';
}

export interface PlanStep {
  id: string;
  /** Plain words: "Tell the kernel that 0000:01:00.0 should only be driven by vfio-pci". */
  title: string;
  op: OpCall;
  /** Equivalent shell commands, copyable; run as root. */
  shell: string[];
  /** What is checked after the step, in plain words. */
  verify: string;
  /** The exact reverse, or null when there is nothing to undo. */
  undo: OpCall | null;
  undoShell: string[];
  /** Files this step writes (persistence), with their full contents, for the preview. */
  files?: { path: string; content: string }[];
  /** Files this step edits or deletes, as unified diffs (iommu plans), for the preview. */
  diffs?: { path: string; unifiedDiff: string }[];
  /** Files copied before they are edited in place (iommu plans): what undo restores from. */
  backups?: { path: string; backup: string }[];
}

export interface DeviceState {
  driver: string | null;
  driverOverride: string | null;
}

/** A device group's verdict once a plan is applied, and what still blocks it. */
export interface GroupOutcome {
  iommuGroup: number | null;
  groupViable: boolean;
  remainingBlockers: { address: PciAddress; driver: string }[];
}

/**
 * What a plan says beyond the common header, by kind: only what that kind of change is about
 * (`detail.kind` is always the plan's `kind`). The wizards and the CLI read it for their words;
 * it is part of the fingerprint of the plan shown.
 */
export type PlanDetail =
  | { kind: 'assign'; group: boolean; persist: boolean; ownerUid: number | null; expected: GroupOutcome }
  | { kind: 'release'; expected: GroupOutcome }
  /** The VF count asked for, whether new VFs get a host driver, and whether a boot rule keeps them. */
  | { kind: 'sriov'; numVfs: number; autoprobe: boolean; persist: boolean; expected: GroupOutcome }
  /** Which VF (its index, and its address when it exists now) and what changes. */
  | { kind: 'vf-config'; vf: number; vfAddress: PciAddress | null; settings: VfChange }
  /**
   * What was asked, and whether a reboot is needed for the running kernel to see it;
   * `manualSteps`: for `--root DIR` without the boot tools inside, the commands the user runs,
   * shell-quoted (the written files are Passthru's).
   */
  | ({ kind: 'iommu'; rebootNeeded: boolean; manualSteps?: string[] } & IommuIntent)
  | { kind: 'vm-network'; vm: string; uid: number }
  /** The journal entry reversed; the group's outcome when the change moved devices. */
  | { kind: 'undo'; reverses: string; expected: GroupOutcome | null }
  /** What was found about the NIC and its network stack, and what the bridge takes over. */
  | ({ kind: 'bridge' } & BridgePlanDetail)
  /** The change kept, and until when it would have been put back. */
  | { kind: 'confirm'; journalId: string; change: PlanKind; deadline: string };

export interface Plan {
  id: string;
  kind: PlanKind;
  createdAt: string;
  /** The device the user asked about ('' for plans about the host as a whole: iommu). */
  target: PciAddress;
  /** Every device the plan changes (the target, or the group's endpoints with --group; none for iommu). */
  devices: PciAddress[];
  /** Asked with force: a forceable refusal may then be overridden by typing its confirmText. */
  force: boolean;
  checks: PlanCheck[];
  /** Set when a check refuses the plan: nothing will be changed. */
  refusal: {
    message: string;
    remedy: string | null;
    forceable: boolean;
    confirmText: string | null;
    /** ENVIRONMENT when the host lacks something (IOMMU off, no vfio-pci); REFUSED (default) for safety. */
    code?: 'REFUSED' | 'ENVIRONMENT';
  } | null;
  /** Nothing to do (already in the wanted state): applying succeeds without changing anything. */
  noop: boolean;
  steps: PlanStep[];
  /** Recorded before any change: what "give back" restores. */
  original: Record<PciAddress, DeviceState>;
  /** What this kind of plan says beyond this header. */
  detail: PlanDetail;
  /**
   * Set for a change that can cut the host off its network: once its steps are done, these
   * checks run from the host's side, and the change is put back by a root-held timer unless
   * confirmed within the window (shared/confirm-window.ts). Absent or null: applied for good.
   */
  confirm?: ConfirmWindow | null;
}

/** The group outcome a plan shows, for the kinds that move devices (null for the others). */
export function groupOutcome(plan: Pick<Plan, 'detail'>): GroupOutcome | null {
  return 'expected' in plan.detail ? plan.detail.expected : null;
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'undoing' | 'undone';

export interface ApplyProgress {
  planId: string;
  stepId: string;
  state: StepState;
  message: string | null;
}

export interface ApplyResult {
  planId: string;
  journalId: string;
  ok: boolean;
  /** On failure: the step that failed, why, and whether every done step was undone. */
  failedStep: string | null;
  error: { message: string; remedy: string | null; detail: string | null } | null;
  rolledBack: boolean;
  steps: { id: string; state: StepState }[];
  /** A change under confirm-or-revert: what the checks found (when they ran). */
  checks?: LiveCheckResult[];
  /** Applied and checked, waiting for a confirmation until `deadline` (ISO time); else absent. */
  pending?: { journalId: string; deadline: string; seconds: number } | null;
}

export type JournalState = 'applying' | 'applied' | 'rolled-back' | 'rollback-failed' | 'undone';

export interface HistoryEntry {
  journalId: string;
  /** The host root the change was made under (`/` for this machine); undo refuses any other. */
  root: string | null;
  kind: PlanKind;
  target: PciAddress;
  devices: PciAddress[];
  startedAt: string;
  finishedAt: string | null;
  state: JournalState;
  /** For an undo or a rollback: the entry it reverses. */
  reverses: string | null;
  /**
   * Steps in order, as journaled before each was attempted. Titles are worded from the
   * journaled op itself, never stored text, so the history cannot say one thing and hold another.
   */
  steps: { id: string; title: string; state: StepState }[];
  /** For a change under confirm-or-revert: pending until its deadline, confirmed, or reverted. */
  confirm?: PendingConfirm | null;
}

/** A journal file that could not be read as a record: shown, never in the way of anything else. */
export interface UnreadableJournalEntry {
  file: string;
  problem: string;
}

export interface JournalHistory {
  entries: HistoryEntry[];
  unreadable: UnreadableJournalEntry[];
}

/**
 * What the user asked for, by kind, with the options they chose: the only thing (besides the
 * digest of the plan they saw) that crosses to the privileged executor. The executor plans it
 * again on the host as it is, with every safety check, and acts only on its own plan.
 */
export type ChangeIntent =
  | { kind: 'assign'; address: string; group: boolean; persist: boolean; force: boolean; ownerUid: number | null }
  | { kind: 'release'; address: string }
  | { kind: 'sriov'; address: string; numVfs: number; autoprobe: boolean | null; persist: boolean | null; force: boolean }
  | { kind: 'vf-config'; address: string; vf: number; settings: VfChange }
  | { kind: 'iommu'; action: 'enable' | 'disable'; pt: boolean; earlyVfio: boolean }
  | { kind: 'vm-network'; vm: string; create: { tap: string; bridge: string }[]; remove: string[]; uid: number }
  /** Reverse a journaled change: the undo of an applied one, or the rollback of an interrupted one. */
  | { kind: 'undo'; journalId: string }
  /** Make a Linux bridge over a host NIC (the NIC's identity moved to it), or remove one and give its port the configuration back. */
  | { kind: 'bridge'; action: 'create'; bridge: string; port: string; confirmSeconds: number; session: string | null }
  | { kind: 'bridge'; action: 'remove'; bridge: string; confirmSeconds: number; session: string | null }
  /** Keep a change that waits for confirmation. */
  | { kind: 'confirm'; journalId: string };

export type ChangeKind = ChangeIntent['kind'];

/** One request to the executor: the intent, the digest of the plan shown, and the typed confirmation. */
export interface ChangeRequest {
  intent: ChangeIntent;
  /** sha256 (hex) of the plan the user saw (electron/host/changes/plan-digest.ts). */
  digest: string;
  /** For a forceable refusal: the text the user typed (e.g. the management NIC's name). */
  confirmText: string | null;
}
