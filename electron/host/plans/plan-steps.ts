/**
 * Step builders: one OpCall each, with the exact root shell line a user could type instead,
 * what is verified after it, and its exact reverse. Shell lines are for reading and copying;
 * nothing here runs them.
 */
import { KERNEL_CHOOSES, type OpCall, type PlanStep } from '../../../shared/plan';
import { formatArgv } from '../exec/run-command';
import { persistenceFiles } from './persistence-files';

const dev = (a: string): string => `/sys/bus/pci/devices/${a}`;

/** The root shell equivalent of one op. */
export function shellFor(op: OpCall): string[] {
  switch (op.verb) {
    case 'set-driver-override':
      return [op.driver === null ? `echo > ${dev(op.address)}/driver_override` : `echo ${op.driver} > ${dev(op.address)}/driver_override`];
    case 'unbind':
      return [`echo ${op.address} > /sys/bus/pci/drivers/${op.driver}/unbind`];
    case 'probe':
      return [`echo ${op.address} > /sys/bus/pci/drivers_probe`];
    case 'load-module':
      return ['modprobe vfio-pci'];
    case 'set-vfio-owner':
      return [`chown ${op.uid}:${op.gid} /dev/vfio/${op.group}`];
    case 'write-persistence':
      return persistenceFiles(op.address).flatMap((f) => [`mkdir -p ${f.path.slice(0, f.path.lastIndexOf('/'))}`, `${formatArgv(['printf', '%s', f.content])} > ${f.path}`]);
    case 'remove-persistence':
      return persistenceFiles(op.address).map((f) => `rm -f ${f.path}`);
  }
}

function step(id: string, title: string, op: OpCall, verify: string, undo: OpCall | null, extra: Partial<PlanStep> = {}): PlanStep {
  return { id, title, op, shell: shellFor(op), verify, undo, undoShell: undo ? shellFor(undo) : [], ...extra };
}

export function loadModuleStep(): PlanStep {
  return step('load-vfio-pci', 'Load the vfio-pci kernel module', { verb: 'load-module', module: 'vfio-pci' },
    'The vfio-pci driver is registered (/sys/bus/pci/drivers/vfio-pci exists).', null);
}

export function overrideStep(id: string, address: string, driver: string | null, previous: string | null): PlanStep {
  const title = driver === null
    ? `Clear the driver override of ${address}, so the kernel picks its usual driver again`
    : `Tell the kernel that ${address} should only be driven by ${driver}`;
  return step(id, title, { verb: 'set-driver-override', address, driver },
    `driver_override of ${address} reads ${driver ?? '(null)'}.`,
    { verb: 'set-driver-override', address, driver: previous });
}

/** Undo probes the same driver back; that needs the original override restored first (see assign-planner). */
export function unbindStep(id: string, address: string, driver: string): PlanStep {
  return step(id, `Detach ${address} from its driver ${driver}`, { verb: 'unbind', address, driver },
    `${address} has no driver (its driver link is gone).`,
    { verb: 'probe', address, expectDriver: driver });
}

/**
 * `expectDriver` KERNEL_CHOOSES: the override is cleared and the kernel binds what it would at
 * boot; the driver it will pick is unknown here, so the step has no exact undo.
 */
export function probeStep(id: string, address: string, expectDriver: string | null | typeof KERNEL_CHOOSES, group: number | null, likely: string | null = null): PlanStep {
  const verify = expectDriver === 'vfio-pci'
    ? `The driver link of ${address} points at vfio-pci and /dev/vfio/${group ?? '?'} exists.`
    : expectDriver === KERNEL_CHOOSES
      ? `${address} is no longer on vfio-pci${likely ? ` (most likely ${likely} binds)` : ''}.`
      : expectDriver === null
        ? `${address} has no driver.`
        : `The driver link of ${address} points at ${expectDriver}.`;
  const title = expectDriver === null
    ? `Ask the kernel to probe ${address} (no driver expected)`
    : expectDriver === KERNEL_CHOOSES
      ? `Ask the kernel to bind ${address} to its usual driver${likely ? ` (most likely ${likely})` : ''}`
      : `Ask the kernel to bind ${address} to ${expectDriver}`;
  return step(id, title, { verb: 'probe', address, expectDriver }, verify,
    expectDriver === null || expectDriver === KERNEL_CHOOSES ? null : { verb: 'unbind', address, driver: expectDriver });
}

export function ownerStep(id: string, group: number, uid: number, gid: number): PlanStep {
  return step(id, `Give /dev/vfio/${group} to user ${uid} so qemu need not run as root`,
    { verb: 'set-vfio-owner', group, uid, gid }, `/dev/vfio/${group} is owned by ${uid}:${gid}.`,
    { verb: 'set-vfio-owner', group, uid: 0, gid: 0 });
}

export function writePersistenceStep(id: string, address: string): PlanStep {
  return step(id, `Keep ${address} on vfio-pci after a reboot (udev rule for this address only)`,
    { verb: 'write-persistence', address, driver: 'vfio-pci' }, 'Each file holds exactly the content shown.',
    { verb: 'remove-persistence', address }, { files: persistenceFiles(address) });
}

export function removePersistenceStep(id: string, address: string): PlanStep {
  return step(id, `Stop keeping ${address} on vfio-pci at boot (remove Passthru's files)`,
    { verb: 'remove-persistence', address }, 'The files are gone.',
    { verb: 'write-persistence', address, driver: 'vfio-pci' }, { files: persistenceFiles(address) });
}
