/**
 * Step builders: one OpCall each, with the exact root shell line a user could type instead,
 * what is verified after it, and its exact reverse. Shell lines are for reading and copying;
 * nothing here runs them.
 */
import { KERNEL_CHOOSES, type OpCall, type PlanStep, type VfChange } from '../../../shared/plan';
import { formatArgv, shellQuote, writeFileLine } from '../../../shared/shell-quote';
import { persistenceFiles, sriovPersistenceFile, sriovRulePath } from '../formats/persistence-files';
import { vfArgs } from '../formats/vf-settings';

const dev = (a: string): string => `/sys/bus/pci/devices/${a}`;

/**
 * `echo VALUE > FILE`, both quoted: the value and the path come from the host. echo would take
 * a value starting with `-` for an option and a backslash for an escape (dash), so any value
 * that is not a plain word is written with `printf '%s\n'` instead — the same bytes, exactly.
 */
const echoTo = (value: string, file: string): string =>
  `${/^[A-Za-z0-9_.:+@,=/][A-Za-z0-9_.:+@,=/-]*$/.test(value) ? formatArgv(['echo', value]) : formatArgv(['printf', '%s\\n', value])} > ${shellQuote(file)}`;

/**
 * The root shell equivalent of one op. Every word that is not a constant of ours is quoted
 * (shared/shell-quote.ts): addresses, driver and interface names come from the host.
 */
export function shellFor(op: OpCall): string[] {
  switch (op.verb) {
    case 'set-driver-override':
      return [op.driver === null ? `echo > ${shellQuote(`${dev(op.address)}/driver_override`)}` : echoTo(op.driver, `${dev(op.address)}/driver_override`)];
    case 'unbind':
      return [echoTo(op.address, `/sys/bus/pci/drivers/${op.driver}/unbind`)];
    case 'probe':
      return [echoTo(op.address, '/sys/bus/pci/drivers_probe')];
    case 'load-module':
      return ['modprobe vfio-pci'];
    case 'set-vfio-owner':
      return [formatArgv(['chown', `${op.uid}:${op.gid}`, `/dev/vfio/${op.group}`])];
    case 'write-persistence':
      return persistenceFiles(op.address).flatMap((f) => [formatArgv(['mkdir', '-p', f.path.slice(0, f.path.lastIndexOf('/'))]), writeFileLine(f.path, f.content)]);
    case 'remove-persistence':
      return persistenceFiles(op.address).map((f) => formatArgv(['rm', '-f', f.path]));
    case 'set-sriov-numvfs':
      return [echoTo(String(op.count), `${dev(op.address)}/sriov_numvfs`)];
    case 'set-sriov-autoprobe':
      return [echoTo(op.enabled ? '1' : '0', `${dev(op.address)}/sriov_drivers_autoprobe`)];
    case 'set-vf':
      // The interface name is looked up when the step runs; the shell line reads it the same way.
      return [`ip link set dev "$(ls ${shellQuote(`${dev(op.address)}/net`)})" ${formatArgv(['vf', String(op.vf), ...vfArgs(op.settings)])}`];
    case 'write-sriov-persistence': {
      const f = sriovPersistenceFile(op.address, op.numVfs, op.autoprobe);
      return [writeFileLine(f.path, f.content)];
    }
    case 'remove-sriov-persistence':
      return [formatArgv(['rm', '-f', sriovRulePath(op.address)])];
    case 'apply-boot-config':
      // The files and commands are planned when the step runs (the plan's step lists them).
      return [
        formatArgv([
          'passthru',
          'iommu',
          op.intent.action,
          ...(op.intent.action === 'enable' && op.intent.pt ? ['--pt'] : []),
          ...(op.intent.action === 'enable' && op.intent.earlyVfio ? ['--early-vfio'] : []),
          '--yes',
        ]),
      ];
    case 'create-tap':
      return [
        formatArgv(['ip', 'tuntap', 'add', 'dev', op.tap, 'mode', 'tap', 'user', String(op.uid)]),
        formatArgv(['ip', 'link', 'set', 'dev', op.tap, 'master', op.bridge, 'up']),
      ];
    case 'remove-tap':
      return [formatArgv(['ip', 'link', 'delete', 'dev', op.tap])];
  }
}

function step(id: string, title: string, op: OpCall, verify: string, undo: OpCall | null, extra: Partial<PlanStep> = {}): PlanStep {
  return { id, title, op, shell: shellFor(op), verify, undo, undoShell: undo ? shellFor(undo) : [], ...extra };
}

export function loadModuleStep(): PlanStep {
  return step(
    'load-vfio-pci',
    'Load the vfio-pci kernel module',
    { verb: 'load-module', module: 'vfio-pci' },
    'The vfio-pci driver is registered (/sys/bus/pci/drivers/vfio-pci exists).',
    null,
  );
}

export function overrideStep(id: string, address: string, driver: string | null, previous: string | null): PlanStep {
  const title =
    driver === null ? `Clear the driver override of ${address}, so the kernel picks its usual driver again` : `Tell the kernel that ${address} should only be driven by ${driver}`;
  return step(id, title, { verb: 'set-driver-override', address, driver }, `driver_override of ${address} reads ${driver ?? '(null)'}.`, {
    verb: 'set-driver-override',
    address,
    driver: previous,
  });
}

/** Undo probes the same driver back; that needs the original override restored first (see assign-planner). */
export function unbindStep(id: string, address: string, driver: string): PlanStep {
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
export function probeStep(id: string, address: string, expectDriver: string | null | typeof KERNEL_CHOOSES, group: number | null, likely: string | null = null): PlanStep {
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

export function ownerStep(id: string, group: number, uid: number, gid: number): PlanStep {
  return step(
    id,
    `Give /dev/vfio/${group} to user ${uid} so qemu need not run as root`,
    { verb: 'set-vfio-owner', group, uid, gid },
    `/dev/vfio/${group} is owned by ${uid}:${gid}.`,
    { verb: 'set-vfio-owner', group, uid: 0, gid: 0 },
  );
}

export function writePersistenceStep(id: string, address: string): PlanStep {
  return step(
    id,
    `Keep ${address} on vfio-pci after a reboot (udev rule for this address only)`,
    { verb: 'write-persistence', address, driver: 'vfio-pci' },
    'Each file holds exactly the content shown.',
    { verb: 'remove-persistence', address },
    { files: persistenceFiles(address) },
  );
}

export function removePersistenceStep(id: string, address: string): PlanStep {
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
export function numVfsStep(id: string, address: string, count: number, previous: number): PlanStep {
  const title = count === 0 ? `Remove the ${previous} VFs of ${address}` : `Create ${count} VFs on ${address}`;
  return step(id, title, { verb: 'set-sriov-numvfs', address, count }, `sriov_numvfs of ${address} reads ${count} and the kernel lists ${count} VFs (virtfn links).`, {
    verb: 'set-sriov-numvfs',
    address,
    count: previous,
  });
}

export function autoprobeStep(id: string, address: string, enabled: boolean): PlanStep {
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
export function writeSriovPersistenceStep(id: string, address: string, numVfs: number, autoprobe: boolean, previous: { numVfs: number; autoprobe: boolean } | null): PlanStep {
  return step(
    id,
    `Recreate ${numVfs} VFs on ${address} at every boot (udev rule for this address only)`,
    { verb: 'write-sriov-persistence', address, numVfs, autoprobe },
    'The rule holds exactly the content shown.',
    previous ? { verb: 'write-sriov-persistence', address, ...previous } : { verb: 'remove-sriov-persistence', address },
    { files: [sriovPersistenceFile(address, numVfs, autoprobe)] },
  );
}

export function removeSriovPersistenceStep(id: string, address: string, previous: { numVfs: number; autoprobe: boolean }): PlanStep {
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
export function vfSettingStep(id: string, address: string, vf: number, change: VfChange, previous: VfChange | null, what: string): PlanStep {
  return step(
    id,
    `Set ${what} of VF ${vf} on ${address}`,
    { verb: 'set-vf', address, vf, settings: change },
    `The PF driver reports the new ${what} for VF ${vf} (ip -j link show).`,
    previous ? { verb: 'set-vf', address, vf, settings: previous } : null,
  );
}
