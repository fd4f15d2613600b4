/**
 * Realistic plans, results and history for unit tests and screenshots, shaped like what the
 * host planner produces for the sample scan (igb 82576 in group 1 with its sibling function,
 * the e1000e management NIC eno1, the NVMe boot disk, the I210 already on vfio-pci).
 */
import type { ApplyResult, HistoryEntry, Plan, PlanCheck, PlanStep, VfChange } from '#shared/plan';

const pass = (id: string, title: string, detail: string): PlanCheck => ({ id, title, status: 'pass', detail, remedy: null, forceable: false });

function assignSteps(address: string, driver: string, persist: boolean): PlanStep[] {
  const steps: PlanStep[] = [
    {
      id: `${address}:override`,
      title: `Tell the kernel that ${address} should only be driven by vfio-pci`,
      op: { verb: 'set-driver-override', address, driver: 'vfio-pci' },
      shell: [`echo vfio-pci > /sys/bus/pci/devices/${address}/driver_override`],
      verify: 'driver_override reads "vfio-pci"',
      undo: { verb: 'set-driver-override', address, driver: null },
      undoShell: [`echo > /sys/bus/pci/devices/${address}/driver_override`],
    },
    {
      id: `${address}:unbind`,
      title: `Detach ${address} from ${driver}`,
      op: { verb: 'unbind', address, driver },
      shell: [`echo ${address} > /sys/bus/pci/drivers/${driver}/unbind`],
      verify: `${address} has no driver`,
      undo: { verb: 'probe', address, expectDriver: driver },
      undoShell: [`echo ${address} > /sys/bus/pci/drivers_probe`],
    },
    {
      id: `${address}:probe`,
      title: `Let vfio-pci take ${address}`,
      op: { verb: 'probe', address, expectDriver: 'vfio-pci' },
      shell: [`echo ${address} > /sys/bus/pci/drivers_probe`],
      verify: `the driver link of ${address} points at vfio-pci and /dev/vfio/1 exists`,
      undo: { verb: 'unbind', address, driver: 'vfio-pci' },
      undoShell: [`echo ${address} > /sys/bus/pci/drivers/vfio-pci/unbind`],
    },
  ];
  if (persist) {
    const rule = `ACTION=="add", SUBSYSTEM=="pci", KERNEL=="${address}", ATTR{driver_override}="vfio-pci"\n`;
    steps.push({
      id: `${address}:persist`,
      title: `Keep ${address} on vfio-pci after a reboot`,
      op: { verb: 'write-persistence', address, driver: 'vfio-pci' },
      shell: [`cat > /etc/udev/rules.d/60-passthru-${address}.rules <<'EOF'`, rule.trimEnd(), 'EOF', 'udevadm control --reload'],
      verify: 'the rule file exists with the content shown',
      undo: { verb: 'remove-persistence', address },
      undoShell: [`rm -f /etc/udev/rules.d/60-passthru-${address}.rules`, 'udevadm control --reload'],
      files: [{ path: `/etc/udev/rules.d/60-passthru-${address}.rules`, content: rule }],
    });
  }
  return steps;
}

const baseChecks: PlanCheck[] = [
  pass('iommu', 'The IOMMU is on', 'Intel VT-d is enabled (intel_iommu=on); 19 IOMMU groups.'),
  pass('vfio-module', 'vfio-pci is available', 'The vfio-pci module is loaded.'),
  pass('endpoint', 'The device is an endpoint', 'Ethernet controller, not a bridge.'),
];

/** Assigning one function of the dual-port 82576: works, but the group stays non-viable. */
export function sampleAssignPlan(opts: { group?: boolean; persist?: boolean } = {}): Plan {
  const group = opts.group ?? false;
  const persist = opts.persist ?? false;
  const devices = group ? ['0000:01:00.0', '0000:01:00.1'] : ['0000:01:00.1'];
  return {
    id: `plan-assign-${group ? 'g' : 's'}${persist ? 'p' : ''}`,
    kind: 'assign',
    createdAt: '2026-11-24T20:00:00.000Z',
    target: '0000:01:00.1',
    devices,
    force: false,
    checks: [
      ...baseChecks,
      {
        id: 'group-members',
        title: 'Other members of IOMMU group 1',
        status: group ? 'pass' : 'warn',
        detail: group
          ? '0000:01:00.0 will also be given to vfio-pci; the bridge 0000:00:01.0 stays with pcieport.'
          : '0000:01:00.0 (igb, enp1s0f0) stays with igb, so the group cannot be used by a VM.',
        remedy: group ? null : 'Choose "Bind the whole group" to give 0000:01:00.0 to vfio-pci too.',
        forceable: false,
      },
      {
        id: 'sriov',
        title: 'No virtual functions will be destroyed',
        status: group ? 'warn' : 'pass',
        detail: group ? '0000:01:00.0 has 2 VFs enabled; re-binding it destroys them.' : '0000:01:00.1 has no VFs enabled.',
        remedy: group ? 'Stop any VM using 0000:01:10.0 or 0000:01:10.2 first.' : null,
        forceable: false,
      },
      pass('reset', 'The device can be reset', 'Reset methods: flr, bus.'),
    ],
    refusal: null,
    noop: false,
    steps: devices.flatMap((a) => assignSteps(a, 'igb', persist)),
    original: Object.fromEntries(devices.map((a) => [a, { driver: 'igb', driverOverride: null }])),
    detail: {
      kind: 'assign',
      group,
      persist,
      ownerUid: 1000,
      expected: { iommuGroup: 1, groupViable: group, remainingBlockers: group ? [] : [{ address: '0000:01:00.0', driver: 'igb' }] },
    },
  };
}

/** The management NIC: refused unless forced by typing "eno1". */
export function sampleManagementPlan(force = false): Plan {
  return {
    ...sampleAssignPlan(),
    id: `plan-mgmt${force ? '-forced' : ''}`,
    target: '0000:00:1f.6',
    devices: ['0000:00:1f.6'],
    force,
    checks: [
      ...baseChecks,
      {
        id: 'in-use',
        title: 'The device is not in use by the host',
        status: 'fail',
        detail: 'eno1 carries the default route (IPv4 and IPv6) and holds 192.168.1.10/24.',
        remedy: 'Move the host network to another interface first, or use a VF or a second NIC for the VM.',
        forceable: true,
      },
    ],
    refusal: {
      message: 'eno1 is the management network interface: giving it to vfio-pci cuts this machine off the network.',
      remedy: 'Use another NIC for the VM, or move the host network to another interface first.',
      forceable: true,
      confirmText: 'eno1',
    },
    steps: assignSteps('0000:00:1f.6', 'e1000e', false),
    original: { '0000:00:1f.6': { driver: 'e1000e', driverOverride: null } },
    detail: {
      kind: 'assign',
      group: false,
      persist: false,
      ownerUid: 1000,
      expected: { iommuGroup: 9, groupViable: false, remainingBlockers: [{ address: '0000:00:1f.3', driver: 'snd_hda_intel' }] },
    },
  };
}

/** The boot disk's controller: refused, and not forceable. */
export function sampleDiskPlan(): Plan {
  return {
    ...sampleAssignPlan(),
    id: 'plan-disk',
    target: '0000:03:00.0',
    devices: ['0000:03:00.0'],
    checks: [
      ...baseChecks,
      { id: 'disk', title: 'No mounted disk behind the device', status: 'fail', detail: '/ and /boot are on nvme0n1, behind 0000:03:00.0.', remedy: null, forceable: false },
    ],
    refusal: { message: '0000:03:00.0 controls the disk this system runs from (/ and /boot).', remedy: null, forceable: false, confirmText: null },
    steps: [],
    original: {},
    detail: {
      kind: 'assign',
      group: false,
      persist: false,
      ownerUid: 1000,
      expected: { iommuGroup: 8, groupViable: false, remainingBlockers: [{ address: '0000:03:00.0', driver: 'nvme' }] },
    },
  };
}

/** The I210 is already on vfio-pci. */
export function sampleNoopPlan(): Plan {
  return {
    ...sampleAssignPlan(),
    id: 'plan-noop',
    target: '0000:02:00.0',
    devices: ['0000:02:00.0'],
    noop: true,
    steps: [],
    original: { '0000:02:00.0': { driver: 'vfio-pci', driverOverride: 'vfio-pci' } },
    detail: { kind: 'assign', group: false, persist: false, ownerUid: 1000, expected: { iommuGroup: 7, groupViable: true, remainingBlockers: [] } },
  };
}

export function sampleReleasePlan(): Plan {
  const a = '0000:02:00.0';
  return {
    ...sampleNoopPlan(),
    id: 'plan-release',
    kind: 'release',
    noop: false,
    checks: [pass('recorded', 'The original driver is known', 'igb, recorded when it was assigned on 2026-11-20.')],
    steps: [
      {
        id: `${a}:clear`,
        title: `Clear the driver override of ${a}`,
        op: { verb: 'set-driver-override', address: a, driver: null },
        shell: [`echo > /sys/bus/pci/devices/${a}/driver_override`],
        verify: 'driver_override is empty',
        undo: { verb: 'set-driver-override', address: a, driver: 'vfio-pci' },
        undoShell: [`echo vfio-pci > /sys/bus/pci/devices/${a}/driver_override`],
      },
      {
        id: `${a}:unbind`,
        title: `Detach ${a} from vfio-pci`,
        op: { verb: 'unbind', address: a, driver: 'vfio-pci' },
        shell: [`echo ${a} > /sys/bus/pci/drivers/vfio-pci/unbind`],
        verify: `${a} has no driver`,
        undo: { verb: 'probe', address: a, expectDriver: 'vfio-pci' },
        undoShell: [`echo ${a} > /sys/bus/pci/drivers_probe`],
      },
      {
        id: `${a}:probe`,
        title: `Let igb take ${a} again`,
        op: { verb: 'probe', address: a, expectDriver: 'igb' },
        shell: [`echo ${a} > /sys/bus/pci/drivers_probe`],
        verify: `the driver link of ${a} points at igb`,
        undo: null,
        undoShell: [],
      },
    ],
    detail: { kind: 'release', expected: { iommuGroup: 7, groupViable: false, remainingBlockers: [{ address: a, driver: 'igb' }] } },
  };
}

/** 0000:01:00.0 from 2 VFs to `numVfs` (through 0), optionally with the boot-time rule. */
export function sampleSriovPlan(opts: { numVfs?: number; autoprobe?: boolean; persist?: boolean } = {}): Plan {
  const pf = '0000:01:00.0';
  const numVfs = opts.numVfs ?? 4;
  const autoprobe = opts.autoprobe ?? true;
  const persist = opts.persist ?? false;
  const numvfs = `/sys/bus/pci/devices/${pf}/sriov_numvfs`;
  const steps: PlanStep[] = [
    {
      id: `${pf}:numvfs-0`,
      title: `Remove the 2 VFs of ${pf} (the kernel only changes the count from or to 0)`,
      op: { verb: 'set-sriov-numvfs', address: pf, count: 0 },
      shell: [`echo 0 > ${numvfs}`],
      verify: 'sriov_numvfs reads 0 and no virtfn links remain',
      undo: { verb: 'set-sriov-numvfs', address: pf, count: 2 },
      undoShell: [`echo 2 > ${numvfs}`],
    },
    {
      id: `${pf}:numvfs`,
      title: `Create ${numVfs} VFs on ${pf}`,
      op: { verb: 'set-sriov-numvfs', address: pf, count: numVfs },
      shell: [`echo ${numVfs} > ${numvfs}`],
      verify: `sriov_numvfs reads ${numVfs} and virtfn0…virtfn${numVfs - 1} exist`,
      undo: { verb: 'set-sriov-numvfs', address: pf, count: 0 },
      undoShell: [`echo 0 > ${numvfs}`],
    },
  ];
  if (persist) {
    const path = `/etc/udev/rules.d/61-passthru-sriov-${pf}.rules`;
    const rule = `ACTION=="add", SUBSYSTEM=="pci", KERNEL=="${pf}", ATTR{sriov_drivers_autoprobe}="${autoprobe ? 1 : 0}", ATTR{sriov_numvfs}="${numVfs}"\n`;
    steps.push({
      id: `${pf}:persist`,
      title: `Recreate ${numVfs} VFs on ${pf} at boot`,
      op: { verb: 'write-sriov-persistence', address: pf, numVfs, autoprobe },
      shell: [`cat > ${path} <<'EOF'`, rule.trimEnd(), 'EOF'],
      verify: 'the rule file exists with the content shown',
      undo: { verb: 'remove-sriov-persistence', address: pf },
      undoShell: [`rm -f ${path}`],
      files: [{ path, content: rule }],
    });
  }
  return {
    id: `plan-sriov-${numVfs}`,
    kind: 'sriov',
    createdAt: '2026-11-24T20:00:00.000Z',
    target: pf,
    devices: [pf],
    force: false,
    checks: [
      pass('sriov-range', `${numVfs} VFs is within the device's limit`, 'sriov_totalvfs is 7.'),
      pass('vfs-free', 'No VF to be removed is in use', 'Neither 0000:01:10.0 (igbvf) nor 0000:01:10.2 is used by a running VM.'),
    ],
    refusal: null,
    noop: false,
    steps,
    original: { [pf]: { driver: 'igb', driverOverride: null } },
    detail: { kind: 'sriov', numVfs, autoprobe, persist, expected: { iommuGroup: 1, groupViable: false, remainingBlockers: [] } },
  };
}

/** VF 1 of 0000:01:00.0 gets the given settings. */
export function sampleVfPlan(settings: VfChange = { mac: '02:00:00:00:00:01' }): Plan {
  const pf = '0000:01:00.0';
  return {
    ...sampleSriovPlan(),
    id: 'plan-vf-1',
    kind: 'vf-config',
    detail: { kind: 'vf-config', vf: 1, vfAddress: '0000:01:10.2', settings },
    checks: [pass('pf-interface', 'The PF has an interface', 'enp1s0f0 (igb) holds the VF settings.')],
    steps: [
      {
        id: `${pf}:vf1`,
        title: `Set VF 1 of ${pf}`,
        op: { verb: 'set-vf', address: pf, vf: 1, settings },
        shell: ['ip link set dev enp1s0f0 vf 1 mac 02:00:00:00:00:01'],
        verify: 'ip link show enp1s0f0 reports the new settings for VF 1',
        undo: { verb: 'set-vf', address: pf, vf: 1, settings: { mac: '00:00:00:00:00:00' } },
        undoShell: ['ip link set dev enp1s0f0 vf 1 mac 00:00:00:00:00:00'],
      },
    ],
  };
}

export function sampleOkResult(plan: Plan): ApplyResult {
  return { planId: plan.id, journalId: 'j-0003', ok: true, failedStep: null, error: null, rolledBack: false, steps: plan.steps.map((s) => ({ id: s.id, state: 'done' })) };
}

/** The probe step failed (vfio-pci did not bind) and the two earlier steps were undone. */
export function sampleFailedResult(plan: Plan, rolledBack = true): ApplyResult {
  const failAt = Math.min(2, plan.steps.length - 1);
  return {
    planId: plan.id,
    journalId: 'j-0004',
    ok: false,
    failedStep: plan.steps[failAt]?.id ?? null,
    error: {
      message: 'vfio-pci did not bind 0000:01:00.1 (no driver after drivers_probe).',
      remedy: 'Check "dmesg | grep vfio" — the device may not support being reset.',
      detail: 'driver link: missing after 2000 ms',
    },
    rolledBack,
    steps: plan.steps.map((s, i) => ({ id: s.id, state: i < failAt ? (rolledBack ? 'undone' : 'done') : i === failAt ? 'failed' : 'pending' })),
  };
}

export const sampleHistory: HistoryEntry[] = [
  {
    journalId: 'j-0003',
    root: '/',
    reverses: null,
    kind: 'assign',
    target: '0000:01:00.1',
    devices: ['0000:01:00.1'],
    startedAt: '2026-11-24T19:58:00.000Z',
    finishedAt: null,
    state: 'applying',
    steps: [
      { id: 'o', title: 'Tell the kernel that 0000:01:00.1 should only be driven by vfio-pci', state: 'done' },
      { id: 'u', title: 'Detach 0000:01:00.1 from igb', state: 'running' },
    ],
  },
  {
    journalId: 'j-0002',
    root: '/',
    reverses: null,
    kind: 'assign',
    target: '0000:02:00.0',
    devices: ['0000:02:00.0'],
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    state: 'applied',
    steps: [
      { id: 'o', title: 'Tell the kernel that 0000:02:00.0 should only be driven by vfio-pci', state: 'done' },
      { id: 'u', title: 'Detach 0000:02:00.0 from igb', state: 'done' },
      { id: 'p', title: 'Let vfio-pci take 0000:02:00.0', state: 'done' },
    ],
  },
];
