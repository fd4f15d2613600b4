/**
 * Planners for SR-IOV: the number of VFs on a PF, and one VF's settings. Pure
 * decisions over HostFacts, like assign-planner.ts; the kernel's refusals are turned into
 * checks before they happen:
 * - N→M with both non-zero is refused by the kernel (EBUSY): the plan goes through 0, and says
 *   that every VF is recreated (their settings and bindings are lost).
 * - VFs on vfio-pci or held open by a process (a running VM) are never removed.
 * - sriov_numvfs only works with the PF's own driver bound.
 */
import { badInput } from '#shared/errors';
import { normalizeMac, ZERO_MAC } from '#shared/mac';
import type { PciDevice, VfSettings } from '#shared/model';
import type { GroupOutcome, VfChange } from '#shared/plan';
import { checkVfChange } from '../formats/vf-settings';
import type { PlanIds } from './assign-planner';
import type { HostFacts } from './host-facts';
import * as C from './plan-checks';
import { autoprobeStep, numVfsStep, removeSriovPersistenceStep, vfSettingStep, writeSriovPersistenceStep, type PlanDraft, type PlannedStep } from './plan-steps';
import { resolveDevice } from './validate';

export interface SriovPlanRequest {
  address: string;
  numVfs: number;
  autoprobe?: boolean;
  persist?: boolean;
  force?: boolean;
}

export interface VfConfigPlanRequest {
  address: string;
  vf: number;
  settings: VfChange;
}

/** The PF, refusing devices without SR-IOV (and VFs, which have none of their own). */
function resolvePf(facts: HostFacts, address: string): PciDevice & { sriov: NonNullable<PciDevice['sriov']> } {
  const pf = resolveDevice(facts.scan, address);
  if (!pf.sriov) {
    throw badInput(
      `${pf.address} has no SR-IOV capability${pf.physfn ? `: it is itself a VF of ${pf.physfn}` : ''}.`,
      pf.physfn ? `Set the VF count on ${pf.physfn}.` : 'Pick a device that lists "SR-IOV" (it has sriov_totalvfs).',
    );
  }
  return pf as PciDevice & { sriov: NonNullable<PciDevice['sriov']> };
}

function groupVerdict(facts: HostFacts, d: PciDevice): GroupOutcome {
  const g = facts.scan.groups.find((x) => x.id === d.iommuGroup);
  return { iommuGroup: d.iommuGroup, groupViable: g?.viable ?? false, remainingBlockers: g?.blockers ?? [] };
}

function checkPfDriver(pf: PciDevice): C.CheckResult {
  if (pf.driver === null) {
    return C.fail(
      'pf-driver',
      'PF driver bound',
      `${pf.address} has no driver; only the PF's own driver can create VFs.`,
      `Bind it to its driver first (${pf.modules.join(', ') || 'its network driver'}).`,
    );
  }
  if (pf.driver === 'vfio-pci') {
    return C.fail(
      'pf-driver',
      'PF driver bound',
      `${pf.address} is on vfio-pci (given to a VM); VFs are created by its own driver.`,
      `Give ${pf.address} back to its driver first.`,
    );
  }
  return C.pass('pf-driver', 'PF driver bound', `${pf.address} is driven by ${pf.driver}, which creates the VFs.`);
}

/** VFs that would be destroyed: on vfio-pci, or held open by a process, they block the change. */
export function checkVfsRemovable(facts: HostFacts, vfs: PciDevice[]): C.CheckResult[] {
  const onVfio = vfs.filter((v) => v.driver === 'vfio-pci');
  const held = vfs.flatMap((v) => {
    const users = v.iommuGroup === null ? [] : (facts.vfioGroupUsers.get(v.iommuGroup) ?? []);
    return users.length ? [`${v.address} (${users.map((u) => `${u.command} pid ${u.pid}`).join(', ')})`] : [];
  });
  const out: C.CheckResult[] = [];
  out.push(
    onVfio.length
      ? C.fail(
          'vfs-on-vfio',
          'No VF given to VMs is removed',
          `${onVfio.map((v) => v.address).join(', ')} ${onVfio.length > 1 ? 'are' : 'is'} on vfio-pci; removing VFs would pull ${onVfio.length > 1 ? 'them' : 'it'} from under a VM.`,
          `Give ${onVfio.map((v) => v.address).join(', ')} back to ${onVfio.length > 1 ? 'their' : 'its'} driver first.`,
        )
      : C.pass('vfs-on-vfio', 'No VF given to VMs is removed', vfs.length ? 'None of the VFs to remove is on vfio-pci.' : 'No VF is removed.'),
  );
  out.push(
    held.length
      ? C.fail('vfs-in-use', 'No VF in use by a running VM', `In use by a running process: ${held.join('; ')}.`, 'Stop the VM first.')
      : C.pass('vfs-in-use', 'No VF in use by a running VM', vfs.length ? 'No process holds the VFs to remove.' : 'No VF is removed.'),
  );
  return out;
}

/**
 * One check for the host's network: the VFs removed must not carry it (refused, forceable); a
 * PF that is the management NIC itself keeps its driver, so changing its VFs keeps the host online.
 */
function checkHostNetwork(facts: HostFacts, pf: PciDevice, removed: PciDevice[]): C.CheckResult {
  const vfs = C.checkManagement(facts, removed);
  if (vfs.check.status === 'fail') return vfs;
  const mgmt = facts.scan.interfaces.filter((i) => i.device === pf.address && i.management);
  if (mgmt.length) {
    return C.pass(
      'management-nic',
      'Not the management NIC',
      `${pf.address} (${mgmt.map((i) => i.name).join(', ')}) carries this host's network; creating or removing VFs leaves it on ${pf.driver ?? 'its driver'}, so the host stays online.`,
    );
  }
  return C.pass(
    'management-nic',
    'Not the management NIC',
    removed.length ? `Neither ${pf.address} nor the VFs removed carry the host's default route.` : `${pf.address} does not carry the host's default route.`,
  );
}

/** Plans setting the PF's VF count (through 0 when needed), autoprobe and the boot rule. */
export function planSriov(facts: HostFacts, request: SriovPlanRequest, ids: PlanIds): PlanDraft {
  const pf = resolvePf(facts, request.address);
  const { totalVfs, numVfs: current } = pf.sriov;
  const want = request.numVfs;
  if (!Number.isInteger(want) || want < 0) throw badInput(`${JSON.stringify(want)} is not a number of VFs (0 or more).`);
  if (want > totalVfs) throw badInput(`${pf.address} supports at most ${totalVfs} VFs; ${want} asked.`, `Choose 0 to ${totalVfs}.`);
  const autoprobeNow = pf.sriov.driversAutoprobe;
  const autoprobe = request.autoprobe ?? autoprobeNow ?? true;
  const changesCount = want !== current;
  const removed = changesCount && current > 0 ? pf.sriov.vfs.map((a) => facts.scan.devices.find((d) => d.address === a)).filter((d): d is PciDevice => d !== undefined) : [];

  const throughZero = changesCount && current > 0 && want > 0;
  const results: C.CheckResult[] = [
    checkPfDriver(pf),
    ...checkVfsRemovable(facts, removed),
    checkHostNetwork(facts, pf, removed),
    C.checkInUse(facts, removed),
    throughZero
      ? C.warn(
          'through-zero',
          'VF count changes through 0',
          `The kernel only changes the VF count from or to 0: the plan removes all ${current} VFs, then creates ${want}. They come back as new devices: their drivers, MACs and VLANs start afresh.`,
          null,
        )
      : C.pass('through-zero', 'VF count changes through 0', changesCount ? `${current} → ${want} needs no detour.` : `${pf.address} already has ${want} VFs.`),
    autoprobe
      ? C.pass(
          'autoprobe',
          'New VFs and host drivers',
          want > 0 ? `New VFs get their host driver (${pf.driver === 'igb' ? 'igbvf' : 'the VF driver'}) as usual.` : 'No VFs are created.',
        )
      : C.pass('autoprobe', 'New VFs and host drivers', 'New VFs stay without a host driver, ready for vfio-pci and VMs.'),
  ];

  const steps: PlannedStep[] = [];
  if (autoprobeNow !== null && autoprobe !== autoprobeNow) steps.push(autoprobeStep(`autoprobe-${pf.address}`, pf.address, autoprobe));
  if (changesCount && current > 0) steps.push(numVfsStep(`remove-vfs-${pf.address}`, pf.address, 0, current));
  if (changesCount && want > 0) steps.push(numVfsStep(`create-vfs-${pf.address}`, pf.address, want, 0));
  // persist: true keeps the VFs across reboots, false drops the rule, absent keeps it as it is
  // (following the new count when there is one).
  const rule = facts.sriovPersisted.get(pf.address) ?? null;
  const keepRule = want > 0 && (request.persist ?? rule !== null);
  if (rule && !keepRule) steps.push(removeSriovPersistenceStep(`unpersist-sriov-${pf.address}`, pf.address, rule));
  else if (keepRule && (rule?.numVfs !== want || rule.autoprobe !== autoprobe)) {
    steps.push(writeSriovPersistenceStep(`persist-sriov-${pf.address}`, pf.address, want, autoprobe, rule));
  }

  const refusal = C.refusalFrom(results);
  return {
    id: ids.planId,
    kind: 'sriov',
    createdAt: ids.now,
    target: pf.address,
    devices: [pf.address, ...removed.map((v) => v.address)],
    force: request.force ?? false,
    checks: results.map((r) => r.check),
    refusal,
    noop: refusal === null && steps.length === 0,
    steps,
    original: { [pf.address]: { driver: pf.driver, driverOverride: pf.driverOverride } },
    detail: { kind: 'sriov', numVfs: want, autoprobe, persist: keepRule, expected: groupVerdict(facts, pf) },
  };
}

/** Which settings a change touches, each as its own step (see ops/set-vf.ts for why). */
const PARTS: { what: string; pick: (c: VfChange) => VfChange | null; from: (now: VfSettings) => VfChange | null }[] = [
  { what: 'the MAC', pick: (c) => (c.mac !== undefined ? { mac: c.mac } : null), from: (n) => ({ mac: n.mac ?? ZERO_MAC }) },
  {
    what: 'the VLAN',
    pick: (c) => (c.vlan !== undefined ? { vlan: c.vlan, ...(c.qos !== undefined ? { qos: c.qos } : {}) } : null),
    from: (n) => ({ vlan: n.vlan, ...(n.vlan ? { qos: n.qos } : {}) }),
  },
  {
    what: 'spoof checking',
    pick: (c) => (c.spoofCheck !== undefined ? { spoofCheck: c.spoofCheck } : null),
    from: (n) => (n.spoofCheck === null ? null : { spoofCheck: n.spoofCheck }),
  },
  { what: 'trust', pick: (c) => (c.trust !== undefined ? { trust: c.trust } : null), from: (n) => (n.trust === null ? null : { trust: n.trust }) },
  { what: 'the link state', pick: (c) => (c.linkState !== undefined ? { linkState: c.linkState } : null), from: (n) => (n.linkState === null ? null : { linkState: n.linkState }) },
];

const same = (a: VfChange, b: VfChange | null): boolean => b !== null && JSON.stringify(a) === JSON.stringify(b);

/** Plans one VF's settings through its PF (`ip link set PF vf N ...`), one step per setting. */
export function planVfConfig(facts: HostFacts, request: VfConfigPlanRequest, ids: PlanIds): PlanDraft {
  const pf = resolvePf(facts, request.address);
  const count = pf.sriov.numVfs;
  if (!Number.isInteger(request.vf) || request.vf < 0 || request.vf >= count) {
    throw badInput(`${pf.address} has ${count} VF${count === 1 ? '' : 's'}; there is no VF ${request.vf}.`, count ? `Choose 0 to ${count - 1}.` : 'Create VFs first.');
  }
  const mac = request.settings.mac;
  const settings = checkVfChange(mac === undefined ? { ...request.settings } : { ...request.settings, mac: normalizeMac(mac) ?? mac });
  const now = pf.sriov.vfSettings?.find((v) => v.index === request.vf) ?? null;
  const vfAddress = pf.sriov.vfs[request.vf] ?? null;
  const vf = vfAddress ? facts.scan.devices.find((d) => d.address === vfAddress) : undefined;
  const users = vf?.iommuGroup === null || vf?.iommuGroup === undefined ? [] : (facts.vfioGroupUsers.get(vf.iommuGroup) ?? []);

  const results: C.CheckResult[] = [
    pf.interfaces.length
      ? C.pass('pf-interface', 'PF network interface', `Set through ${pf.interfaces[0]} (${pf.driver ?? 'no driver'}).`)
      : C.fail(
          'pf-interface',
          'PF network interface',
          `${pf.address} has no network interface (driver ${pf.driver ?? 'none'}); VF settings go through the PF's network driver.`,
          'Give the PF back to its network driver first.',
        ),
    now
      ? C.pass(
          'vf-settings-known',
          'Current settings known',
          `VF ${request.vf} now: MAC ${now.mac ?? 'not set'}, VLAN ${now.vlan || 'none'}, spoof check ${now.spoofCheck === null ? '?' : now.spoofCheck ? 'on' : 'off'}, trust ${now.trust === null ? '?' : now.trust ? 'on' : 'off'}.`,
        )
      : C.warn('vf-settings-known', 'Current settings known', `The PF driver did not report VF ${request.vf}'s settings; the change cannot be undone exactly.`, null),
    users.length
      ? C.warn(
          'vf-in-use',
          'VF in use',
          `${vfAddress} is held by ${users.map((u) => `${u.command} pid ${u.pid}`).join(', ')}: a new MAC or VLAN reaches the guest when its VF driver resets (restart the guest's NIC).`,
          null,
        )
      : C.pass('vf-in-use', 'VF in use', `${vfAddress ?? `VF ${request.vf}`} is not held by a running VM.`),
  ];

  const steps: PlannedStep[] = [];
  for (const part of PARTS) {
    const change = part.pick(settings);
    if (!change) continue;
    const before = now ? part.from(now) : null;
    if (same(change, before)) continue;
    steps.push(vfSettingStep(`vf${request.vf}-${Object.keys(change)[0]}`, pf.address, request.vf, change, before, part.what));
  }

  const refusal = C.refusalFrom(results);
  return {
    id: ids.planId,
    kind: 'vf-config',
    createdAt: ids.now,
    target: pf.address,
    devices: vfAddress ? [pf.address, vfAddress] : [pf.address],
    force: false,
    checks: results.map((r) => r.check),
    refusal,
    noop: refusal === null && steps.length === 0,
    steps,
    original: { [pf.address]: { driver: pf.driver, driverOverride: pf.driverOverride } },
    detail: { kind: 'vf-config', vf: request.vf, vfAddress, settings },
  };
}
