/**
 * Step builders: one OpCall each, with its title, what is verified after it, and its exact
 * reverse. A planner decides which ops run; each op's shell line is the op's own (ops/), added
 * to the plan by the changes layer (changes/finish-plan.ts), so planners never word a command.
 */
import { KERNEL_CHOOSES, type OpCall, type Plan, type PlanStep, type VfChange } from '#shared/plan';
import { persistenceFiles, sriovPersistenceFile } from '../formats/persistence-files';

/**
 * A step as a planner makes it: without the shell lines, which come from its ops. `shell` only
 * when the planner knows the real commands better than the op's generic line (the boot
 * configuration: the commands depend on the bootloader the planner detected).
 */
export type PlannedStep = Omit<PlanStep, 'shell' | 'undoShell'> & Partial<Pick<PlanStep, 'shell' | 'undoShell'>>;

/** A plan as a planner makes it (see {@link PlannedStep}). */
export type PlanDraft = Omit<Plan, 'steps'> & { steps: PlannedStep[] };

function step(id: string, title: string, op: OpCall, verify: string, undo: OpCall | null, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { id, title, op, verify, undo, ...extra };
}

export function loadModuleStep(): PlannedStep {
  return step(
    'load-vfio-pci',
    'Load the vfio-pci kernel module',
    { verb: 'load-module', module: 'vfio-pci' },
    'The vfio-pci driver is registered (/sys/bus/pci/drivers/vfio-pci exists).',
    null,
  );
}

export function overrideStep(id: string, address: string, driver: string | null, previous: string | null): PlannedStep {
  const title =
    driver === null ? `Clear the driver override of ${address}, so the kernel picks its usual driver again` : `Tell the kernel that ${address} should only be driven by ${driver}`;
  return step(id, title, { verb: 'set-driver-override', address, driver }, `driver_override of ${address} reads ${driver ?? '(null)'}.`, {
    verb: 'set-driver-override',
    address,
    driver: previous,
  });
}

/** Undo probes the same driver back; that needs the original override restored first (see assign-planner). */
export function unbindStep(id: string, address: string, driver: string): PlannedStep {
  return step(id, `Detach ${address} from its driver ${driver}`, { verb: 'unbind', address, driver }, `${address} has no driver (its driver link is gone).`, {
    verb: 'probe',
    address,
    expectDriver: driver,
  });
}

/**
 * `expectDriver` KERNEL_CHOOSES: the override is cleared and the kernel binds what it would at
 * boot; the driver it will pick is unknown here, so the step has no exact undo.
 */
export function probeStep(id: string, address: string, expectDriver: string | null | typeof KERNEL_CHOOSES, group: number | null, likely: string | null = null): PlannedStep {
  const verify =
    expectDriver === 'vfio-pci'
      ? `The driver link of ${address} points at vfio-pci${group === null ? '' : ` and /dev/vfio/${group} exists`}.`
      : expectDriver === KERNEL_CHOOSES
        ? `${address} is no longer on vfio-pci${likely ? ` (most likely ${likely} binds)` : ''}.`
        : expectDriver === null
          ? `${address} has no driver.`
          : `The driver link of ${address} points at ${expectDriver}.`;
  const title =
    expectDriver === null
      ? `Ask the kernel to probe ${address} (no driver expected)`
      : expectDriver === KERNEL_CHOOSES
        ? `Ask the kernel to bind ${address} to its usual driver${likely ? ` (most likely ${likely})` : ''}`
        : `Ask the kernel to bind ${address} to ${expectDriver}`;
  return step(
    id,
    title,
    { verb: 'probe', address, expectDriver },
    verify,
    expectDriver === null || expectDriver === KERNEL_CHOOSES ? null : { verb: 'unbind', address, driver: expectDriver },
  );
}

export function ownerStep(id: string, group: number, uid: number, gid: number): PlannedStep {
  return step(
    id,
    `Give /dev/vfio/${group} to user ${uid} so qemu need not run as root`,
    { verb: 'set-vfio-owner', group, uid, gid },
    `/dev/vfio/${group} is owned by ${uid}:${gid}.`,
    { verb: 'set-vfio-owner', group, uid: 0, gid: 0 },
  );
}

export function writePersistenceStep(id: string, address: string): PlannedStep {
  return step(
    id,
    `Keep ${address} on vfio-pci after a reboot (udev rule for this address only)`,
    { verb: 'write-persistence', address, driver: 'vfio-pci' },
    'Each file holds exactly the content shown.',
    { verb: 'remove-persistence', address },
    { files: persistenceFiles(address) },
  );
}

export function removePersistenceStep(id: string, address: string): PlannedStep {
  return step(
    id,
    `Stop keeping ${address} on vfio-pci at boot (remove Passthru's files)`,
    { verb: 'remove-persistence', address },
    'The files are gone.',
    { verb: 'write-persistence', address, driver: 'vfio-pci' },
    { files: persistenceFiles(address) },
  );
}

/** `previous` is the count to restore on undo. */
export function numVfsStep(id: string, address: string, count: number, previous: number): PlannedStep {
  const title = count === 0 ? `Remove the ${previous} VFs of ${address}` : `Create ${count} VFs on ${address}`;
  return step(id, title, { verb: 'set-sriov-numvfs', address, count }, `sriov_numvfs of ${address} reads ${count} and the kernel lists ${count} VFs (virtfn links).`, {
    verb: 'set-sriov-numvfs',
    address,
    count: previous,
  });
}

export function autoprobeStep(id: string, address: string, enabled: boolean): PlannedStep {
  const title = enabled
    ? `Let new VFs of ${address} get their host driver (sriov_drivers_autoprobe on)`
    : `Keep new VFs of ${address} without a host driver, for VMs (sriov_drivers_autoprobe off)`;
  return step(id, title, { verb: 'set-sriov-autoprobe', address, enabled }, `sriov_drivers_autoprobe of ${address} reads ${enabled ? 1 : 0}.`, {
    verb: 'set-sriov-autoprobe',
    address,
    enabled: !enabled,
  });
}

/** `previous`: the rule there now (rewritten on undo), or null (removed on undo). */
export function writeSriovPersistenceStep(id: string, address: string, numVfs: number, autoprobe: boolean, previous: { numVfs: number; autoprobe: boolean } | null): PlannedStep {
  return step(
    id,
    `Recreate ${numVfs} VFs on ${address} at every boot (udev rule for this address only)`,
    { verb: 'write-sriov-persistence', address, numVfs, autoprobe },
    'The rule holds exactly the content shown.',
    previous ? { verb: 'write-sriov-persistence', address, ...previous } : { verb: 'remove-sriov-persistence', address },
    { files: [sriovPersistenceFile(address, numVfs, autoprobe)] },
  );
}

export function removeSriovPersistenceStep(id: string, address: string, previous: { numVfs: number; autoprobe: boolean }): PlannedStep {
  return step(
    id,
    `Stop recreating VFs on ${address} at boot (remove Passthru's rule)`,
    { verb: 'remove-sriov-persistence', address },
    'The rule is gone.',
    { verb: 'write-sriov-persistence', address, ...previous },
    { files: [sriovPersistenceFile(address, previous.numVfs, previous.autoprobe)] },
  );
}

/** One VF setting; `previous` holds the same fields as they are now, or null when unknown (no undo then). */
export function vfSettingStep(id: string, address: string, vf: number, change: VfChange, previous: VfChange | null, what: string): PlannedStep {
  return step(
    id,
    `Set ${what} of VF ${vf} on ${address}`,
    { verb: 'set-vf', address, vf, settings: change },
    `The PF driver reports the new ${what} for VF ${vf} (ip -j link show).`,
    previous ? { verb: 'set-vf', address, vf, settings: previous } : null,
  );
}
