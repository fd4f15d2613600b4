/**
 * The safety checks of an assign plan, each a PlanCheck in plain words. They decide; they do
 * not write. A `fail` refuses the plan; only the management NIC and a PF with VFs are
 * forceable (the user types `confirmText`), because those disturb the host but do not corrupt it.
 */
import type { PciDevice } from '#shared/model';
import type { Plan, PlanCheck } from '#shared/plan';
import type { HostFacts } from './host-facts';

export const isBridge = (d: PciDevice): boolean => d.classId.startsWith('06');

/** A failed check with what the refusal needs beyond the PlanCheck itself. */
export interface CheckResult {
  check: PlanCheck;
  confirmText?: string;
  environment?: boolean;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({ check: { id, title, status: 'pass', detail, remedy: null, forceable: false } });
export const warn = (id: string, title: string, detail: string, remedy: string | null): CheckResult => ({ check: { id, title, status: 'warn', detail, remedy, forceable: false } });
export const fail = (id: string, title: string, detail: string, remedy: string | null, more: Omit<CheckResult, 'check'> = {}): CheckResult => ({
  check: { id, title, status: 'fail', detail, remedy, forceable: more.confirmText !== undefined },
  ...more,
});

export function checkIommu(facts: HostFacts, target: PciDevice): CheckResult {
  const io = facts.scan.host.iommu;
  if (!io.enabled || target.iommuGroup === null) {
    return fail(
      'iommu',
      'IOMMU on',
      `The IOMMU is off${io.enabled ? ` or ${target.address} is in no IOMMU group` : ''}, so the kernel cannot isolate a device for a VM.`,
      'Enable VT-d/AMD-Vi in the firmware and add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel command line, then reboot.',
      { environment: true },
    );
  }
  return pass('iommu', 'IOMMU on', `IOMMU ${io.vendor ?? ''} is on; ${target.address} is in group ${target.iommuGroup}.`.replace('  ', ' '));
}

export function checkVfio(facts: HostFacts): CheckResult {
  switch (facts.vfioPci) {
    case 'loaded':
      return pass('vfio-pci', 'vfio-pci available', 'The vfio-pci driver is loaded.');
    case 'loadable':
      return pass('vfio-pci', 'vfio-pci available', 'The vfio-pci module is available; the plan loads it first.');
    case 'missing':
      return fail('vfio-pci', 'vfio-pci available', 'This kernel has no vfio-pci module.', 'Install a kernel with CONFIG_VFIO_PCI (most distribution kernels have it).', {
        environment: true,
      });
  }
}

export function checkEndpoint(target: PciDevice): CheckResult {
  if (isBridge(target)) {
    return fail(
      'endpoint',
      'Device is an endpoint',
      `${target.address} is a bridge (${target.className ?? `class ${target.classId}`}); bridges stay with the host and cannot be given to a VM.`,
      'Pick a device behind the bridge instead.',
    );
  }
  return pass('endpoint', 'Device is an endpoint', `${target.address} is an endpoint (${target.className ?? `class ${target.classId}`}).`);
}

export function checkGroup(facts: HostFacts, target: PciDevice, group: boolean): CheckResult | null {
  // No group (the IOMMU is off): the IOMMU check already says so; nothing was checked here.
  if (target.iommuGroup === null) return null;
  const g = facts.scan.groups.find((x) => x.id === target.iommuGroup);
  const others = (g?.devices ?? []).filter((a) => a !== target.address);
  if (!others.length) return pass('iommu-group', 'IOMMU group', `${target.address} is alone in IOMMU group ${target.iommuGroup}.`);
  const describe = others.map((a) => {
    const d = facts.scan.devices.find((x) => x.address === a);
    return `${a} (${d && isBridge(d) ? 'bridge, stays with the host' : `driver ${d?.driver ?? 'none'}`})`;
  });
  const detail = `IOMMU group ${target.iommuGroup} also holds ${describe.join(', ')}; a VM can only use the group when every endpoint in it is on vfio-pci (or has no driver).`;
  return group
    ? pass('iommu-group', 'IOMMU group', `${detail} The plan moves all its endpoints to vfio-pci.`)
    : warn('iommu-group', 'IOMMU group', detail, 'Assign the whole group instead, or move the other members away from their drivers.');
}

/** Interfaces of `d`, from the scan's interface table (the device's own list as fallback). */
function ifacesOf(facts: HostFacts, d: PciDevice) {
  const byDevice = facts.scan.interfaces.filter((i) => i.device === d.address);
  const byName = facts.scan.interfaces.filter((i) => d.interfaces.includes(i.name) && !byDevice.includes(i));
  return [...byDevice, ...byName];
}

/** Management NIC on the devices themselves, or on the VFs of a PF being rebound (those VFs vanish). */
export function checkManagement(facts: HostFacts, devices: PciDevice[]): CheckResult {
  const hits: { iface: string; why: string }[] = [];
  const soft: string[] = [];
  for (const d of devices) {
    for (const i of ifacesOf(facts, d)) if (i.management) hits.push({ iface: i.name, why: `${i.name} on ${d.address} carries the host's default route` });
    for (const vf of d.sriov?.numVfs ? d.sriov.vfs : []) {
      const vd = facts.scan.devices.find((x) => x.address === vf);
      for (const i of vd ? ifacesOf(facts, vd) : []) {
        if (i.management) hits.push({ iface: i.name, why: `${i.name} on VF ${vf} of ${d.address} carries the host's default route, and rebinding the PF destroys its VFs` });
      }
    }
    const pf = d.physfn ? facts.scan.devices.find((x) => x.address === d.physfn) : undefined;
    for (const i of pf ? ifacesOf(facts, pf) : []) if (i.management) soft.push(`${d.address} is a VF of ${pf?.address}, whose ${i.name} is the management NIC`);
  }
  if (hits.length) {
    const first = hits[0] as { iface: string };
    return fail(
      'management-nic',
      'Not the management NIC',
      `${hits.map((h) => h.why).join('; ')}. Taking it away will drop this host's network connection (and any remote session).`,
      `Use another NIC, or move management traffic elsewhere first. To do it anyway, override the refusal and confirm with the interface's name, ${first.iface}.`,
      { confirmText: first.iface },
    );
  }
  if (soft.length)
    return warn('management-nic', 'Not the management NIC', `${soft.join('; ')}. The VF has its own traffic; the PF keeps its driver and the host stays connected.`, null);
  return pass('management-nic', 'Not the management NIC', "None of the devices carries the host's default route.");
}

export function checkInUse(facts: HostFacts, devices: PciDevice[]): CheckResult {
  const used = devices.flatMap((d) =>
    ifacesOf(facts, d)
      .filter((i) => i.inUse || i.management)
      .map((i) => `${i.name} (${d.address}${i.management ? ', the management NIC' : ''})`),
  );
  if (used.length) {
    const verb = used.length === 1 ? 'holds' : 'hold';
    return warn(
      'interfaces-in-use',
      'Interfaces in use',
      `${used.join(', ')} ${verb} addresses or routes; they go away with the device.`,
      'Check nothing on this host relies on them.',
    );
  }
  const names = devices.flatMap((d) => ifacesOf(facts, d).map((i) => i.name));
  return pass(
    'interfaces-in-use',
    'Interfaces in use',
    names.length ? `${names.join(', ')}: no address or route uses ${names.length === 1 ? 'it' : 'them'}.` : 'These devices have no network interface on this host.',
  );
}

/** Any member of the group (not just the devices moved) backing a mounted filesystem refuses outright. */
export function checkMountedDisk(facts: HostFacts, target: PciDevice): CheckResult {
  const g = facts.scan.groups.find((x) => x.id === target.iommuGroup);
  const members = g ? g.devices : [target.address];
  const hits = members.flatMap((a) => {
    const what = facts.mountedDiskControllers.get(a);
    return what ? [`${a} (${what})`] : [];
  });
  if (hits.length) {
    const where = target.iommuGroup === null ? 'It is the controller of a mounted filesystem' : `IOMMU group ${target.iommuGroup} holds the controller of a mounted filesystem`;
    return fail(
      'mounted-disk',
      'No mounted disk in the group',
      `${where}: ${hits.join('; ')}. Handing it to a VM would pull the disk from under this host.`,
      'This cannot be forced. Use a device in another IOMMU group (an ACS-capable slot may split the group).',
    );
  }
  return pass('mounted-disk', 'No mounted disk in the group', 'No device in the group controls a mounted filesystem.');
}

export function checkDisplay(facts: HostFacts, devices: PciDevice[]): CheckResult {
  const hits = devices.flatMap((d) => {
    const r = facts.displaysInUse.get(d.address);
    return r ? [`${d.address}: ${r}`] : [];
  });
  if (hits.length) {
    return fail(
      'display',
      'Not the display in use',
      `${hits.join('; ')}. Taking it away would blank this host's screen.`,
      'This cannot be forced here. Boot with another GPU as the primary display (or headless) first.',
    );
  }
  return pass('display', 'Not the display in use', 'None of the devices drives the display in use.');
}

export function checkSriov(devices: PciDevice[]): CheckResult {
  const pfs = devices.filter((d) => (d.sriov?.numVfs ?? 0) > 0);
  if (pfs.length) {
    const first = pfs[0] as PciDevice;
    return fail(
      'sriov-pf',
      'No VFs destroyed',
      `${pfs.map((d) => `${d.address} has ${d.sriov?.numVfs} VFs enabled`).join('; ')}; re-binding a PF destroys its VFs (and whatever uses them).`,
      `Set its VFs to 0 first, assign a VF instead, or override the refusal and confirm with the PF's address, ${first.address}.`,
      { confirmText: first.address },
    );
  }
  return pass('sriov-pf', 'No VFs destroyed', 'No device is a PF with VFs enabled.');
}

export function checkReset(devices: PciDevice[]): CheckResult {
  const none = devices.filter((d) => d.resetMethods !== null && d.resetMethods.length === 0);
  const unknown = devices.filter((d) => d.resetMethods === null);
  if (none.length) {
    return warn(
      'reset',
      'Reset method',
      `${none.map((d) => d.address).join(', ')}: no reset: the device may not work after a VM stops (it cannot be reset between guests).`,
      'Expect to reboot the host if the device wedges after a guest.',
    );
  }
  if (unknown.length) return warn('reset', 'Reset method', `${unknown.map((d) => d.address).join(', ')}: this kernel does not report reset methods.`, null);
  return pass('reset', 'Reset method', devices.map((d) => `${d.address}: ${(d.resetMethods ?? []).join(', ')}`).join('; '));
}

/** The plan's refusal from its checks: forceable only when every failure is, with the lead's confirmText. */
export function refusalFrom(results: CheckResult[]): Plan['refusal'] {
  const fails = results.filter((r) => r.check.status === 'fail');
  if (!fails.length) return null;
  const hard = fails.filter((r) => !r.check.forceable);
  const lead = (hard[0] ?? fails[0]) as CheckResult;
  return {
    message: fails.map((r) => r.check.detail).join(' '),
    remedy: lead.check.remedy,
    forceable: hard.length === 0,
    confirmText: hard.length === 0 ? (lead.confirmText ?? null) : null,
    code: fails.some((r) => r.environment) ? 'ENVIRONMENT' : 'REFUSED',
  };
}
