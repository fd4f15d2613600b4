import { describe, expect, it } from 'vitest';
import { groupOutcome, KERNEL_CHOOSES, type Plan } from '#shared/plan';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { buildFakeHost, labHostSpec, type FakeHostSpec } from '../testing/fake-sysfs';
import type { JournalRecord } from '../apply/journal-store';
import type { PlanningContext } from '../changes/change-kind';
import { finishPlan } from '../changes/finish-plan';
import { planUndoOf } from '../changes/undo-plan';
import { OPS } from '../ops';
import { planAssign as draftAssign, planRelease as draftRelease } from './assign-planner';
import { gatherHostFacts, type HostFacts } from './host-facts';

const ids = { planId: 'p1', now: '2026-11-24T21:00:00.000Z' };
// The planners' drafts as the user sees them: with each op's own shell lines.
const planAssign = (...a: Parameters<typeof draftAssign>): Plan => finishPlan(draftAssign(...a), OPS);
const planRelease = (...a: Parameters<typeof draftRelease>): Plan => finishPlan(draftRelease(...a), OPS);
/** What planUndoOf reads of a planning context. */
const undoContext = (root: string, planIds: typeof ids) => ({ root, fs: new RootFs(root), ids: planIds, ops: OPS }) as unknown as PlanningContext;
const fixture = (name: string): string => `${__dirname}/../../../e2e/fixtures/${name}`;

async function facts(root: string, patch: Partial<HostFacts> = {}): Promise<HostFacts> {
  const fs = new RootFs(root);
  return { ...(await gatherHostFacts(fs, await scanHost(fs))), ...patch };
}
const check = (p: Plan, id: string) => p.checks.find((c) => c.id === id);
const verbs = (p: Plan) => p.steps.map((s) => `${s.op.verb}${'address' in s.op ? ` ${s.op.address}` : ''}`);

describe('planAssign on the seed fixture', () => {
  it('assigns the igb PF: load module, unbind, override, probe — with shell lines and exact undos', async () => {
    const p = planAssign(await facts(fixture('seed')), { address: '01:00.0' }, ids);
    expect(p.refusal).toBeNull();
    expect(p.noop).toBe(false);
    expect(p.devices).toEqual(['0000:01:00.0']);
    expect(verbs(p)).toEqual(['load-module', 'unbind 0000:01:00.0', 'set-driver-override 0000:01:00.0', 'probe 0000:01:00.0']);
    expect(p.steps.flatMap((s) => s.shell)).toEqual([
      'modprobe vfio-pci',
      'echo 0000:01:00.0 > /sys/bus/pci/drivers/igb/unbind',
      'echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override',
      'echo 0000:01:00.0 > /sys/bus/pci/drivers_probe',
    ]);
    // Rollback runs the undos in reverse: unbind vfio-pci, clear override, probe igb.
    expect([...p.steps].reverse().flatMap((s) => s.undoShell)).toEqual([
      'echo 0000:01:00.0 > /sys/bus/pci/drivers/vfio-pci/unbind',
      'echo > /sys/bus/pci/devices/0000:01:00.0/driver_override',
      'echo 0000:01:00.0 > /sys/bus/pci/drivers_probe',
    ]);
    expect(p.steps[1]?.undo).toEqual({ verb: 'probe', address: '0000:01:00.0', expectDriver: 'igb' });
    expect(p.steps[3]?.verify).toMatch(/vfio-pci and \/dev\/vfio\/6 exists/);
    expect(p.original).toEqual({ '0000:01:00.0': { driver: 'igb', driverOverride: null } });
    expect(groupOutcome(p)!).toEqual({ iommuGroup: 6, groupViable: true, remainingBlockers: [] });
    expect(check(p, 'vfio-pci')?.detail).toMatch(/loads it first/);
    expect(check(p, 'reset')?.detail).toContain('flr, pm, bus');
  });

  it('refuses the e1000e management NIC, forceable by typing the interface name', async () => {
    const p = planAssign(await facts(fixture('seed')), { address: '0000:02:00.0', force: true }, ids);
    expect(check(p, 'management-nic')).toMatchObject({ status: 'fail', forceable: true });
    expect(p.refusal).toMatchObject({ forceable: true, confirmText: 'enp2s0', code: 'REFUSED' });
    expect(p.refusal?.message).toMatch(/drop this host's network/);
    expect(p.steps.length).toBeGreaterThan(0); // listed for preview
    // No check passes without having checked: the interface is in use, and said so.
    expect(check(p, 'interfaces-in-use')).toMatchObject({ status: 'warn', detail: expect.stringContaining('enp2s0 (0000:02:00.0, the management NIC)') });
    // The remedy names what the window and the CLI both ask for, not a CLI flag or a keystroke.
    expect(p.refusal?.remedy).toMatch(/override the refusal and confirm with the interface's name, enp2s0/);
  });

  it('adds owner and persistence steps when asked', async () => {
    const p = planAssign(await facts(fixture('seed')), { address: '0000:01:00.0', ownerUid: 1000, persist: true }, ids);
    const owner = p.steps.find((s) => s.op.verb === 'set-vfio-owner');
    expect(owner?.op).toEqual({ verb: 'set-vfio-owner', group: 6, uid: 1000, gid: 1000 });
    expect(owner?.shell).toEqual(['chown 1000:1000 /dev/vfio/6']);
    const persist = p.steps.find((s) => s.op.verb === 'write-persistence');
    expect(persist?.files?.map((f) => f.path)).toEqual(['/etc/udev/rules.d/90-passthru-0000:01:00.0.rules', '/etc/modules-load.d/passthru-vfio.conf']);
    expect(persist?.undo).toEqual({ verb: 'remove-persistence', address: '0000:01:00.0' });
  });

  it('refuses a group holding a mounted disk controller, not forceable (9p root on virtio)', async () => {
    const f = await facts(fixture('seed'), { mountedDiskControllers: new Map([['0000:00:10.0', 'it holds the filesystem mounted at /']]) });
    const p = planAssign(f, { address: '0000:00:10.0', force: true }, ids);
    expect(check(p, 'mounted-disk')?.status).toBe('fail');
    expect(p.refusal).toMatchObject({ forceable: false, confirmText: null });
  });

  it('refuses a bridge', async () => {
    const p = planAssign(await facts(fixture('seed')), { address: '0000:00:02.0' }, ids);
    expect(check(p, 'endpoint')?.status).toBe('fail');
    expect(p.refusal?.forceable).toBe(false);
  });

  it('on the no-iommu host: refused for the IOMMU, and no check about a group that does not exist ("?")', async () => {
    const p = planAssign(await facts(fixture('no-iommu')), { address: '0000:01:00.0' }, ids);
    expect(p.refusal).toMatchObject({ code: 'ENVIRONMENT' });
    expect(check(p, 'iommu-group')).toBeUndefined();
    expect(JSON.stringify(p)).not.toMatch(/group \?|\/dev\/vfio\/\?|\?\)/);
  });

  it('refuses with ENVIRONMENT when the IOMMU is off or vfio-pci is missing', async () => {
    const f = await facts(fixture('seed'));
    const off = { ...f, scan: { ...f.scan, host: { ...f.scan.host, iommu: { ...f.scan.host.iommu, enabled: false } } } };
    expect(planAssign(off, { address: '0000:01:00.0' }, ids).refusal).toMatchObject({ code: 'ENVIRONMENT', forceable: false });
    const missing = planAssign({ ...f, vfioPci: 'missing' }, { address: '0000:01:00.0' }, ids);
    expect(check(missing, 'vfio-pci')?.status).toBe('fail');
    expect(missing.refusal?.code).toBe('ENVIRONMENT');
  });

  it('warns for an in-use interface that is not the management NIC', async () => {
    const f = await facts(fixture('seed'));
    const scan = { ...f.scan, interfaces: f.scan.interfaces.map((i) => (i.name === 'enp1s0' ? { ...i, inUse: true } : i)) };
    const p = planAssign({ ...f, scan }, { address: '0000:01:00.0' }, ids);
    expect(check(p, 'interfaces-in-use')).toMatchObject({ status: 'warn' });
    expect(p.refusal).toBeNull();
  });
});

describe('planAssign on the shared-group fixture', () => {
  it('a member alone leaves the group non-viable, naming the other member', async () => {
    const p = planAssign(await facts(fixture('shared-group')), { address: '0000:02:01.0' }, ids);
    expect(p.refusal).toBeNull();
    expect(check(p, 'iommu-group')?.status).toBe('warn');
    expect(check(p, 'iommu-group')?.detail).toContain('0000:02:02.0');
    expect(groupOutcome(p)!).toEqual({ iommuGroup: 6, groupViable: false, remainingBlockers: [{ address: '0000:02:02.0', driver: '8139cp' }] });
    expect(check(p, 'reset')?.status).toBe('pass');
  });

  it('--group plans every endpoint, leaves the bridge alone, and makes the group viable', async () => {
    const p = planAssign(await facts(fixture('shared-group')), { address: '0000:02:01.0', group: true }, ids);
    expect(p.devices).toEqual(['0000:02:01.0', '0000:02:02.0']);
    expect(verbs(p).filter((v) => v.includes('0000:01:00.0'))).toEqual([]);
    expect(groupOutcome(p)!.groupViable).toBe(true);
    expect(check(p, 'reset')).toMatchObject({ status: 'warn', detail: expect.stringContaining('no reset: the device may not work after a VM stops') });
  });

  it('refuses the management NIC enp3s0', async () => {
    expect(planAssign(await facts(fixture('shared-group')), { address: '0000:03:00.0' }, ids).refusal?.confirmText).toBe('enp3s0');
  });
});

describe('planAssign on fake lab trees', () => {
  async function lab(edit: (s: FakeHostSpec) => void = () => {}): Promise<HostFacts> {
    const spec = labHostSpec();
    edit(spec);
    return facts(buildFakeHost(spec));
  }

  it('is a no-op success for a device already on vfio-pci with the override set', async () => {
    const p = planAssign(await lab(), { address: '0000:01:10.2' }, ids);
    expect(p).toMatchObject({ noop: true, steps: [], refusal: null });
  });

  it('only sets the override when bound to vfio-pci without one', async () => {
    const p = planAssign(await lab(), { address: '0000:02:00.0' }, ids);
    expect(verbs(p)).toEqual(['set-driver-override 0000:02:00.0']);
  });

  it('refuses a PF with VFs enabled unless forced with its address', async () => {
    const p = planAssign(await lab(), { address: '0000:01:00.0' }, ids);
    expect(check(p, 'sriov-pf')?.status).toBe('fail');
    expect(p.refusal).toMatchObject({ forceable: true, confirmText: '0000:01:00.0' });
  });

  it('refuses a PF whose VF carries the management interface', async () => {
    const f = await lab();
    const scan = { ...f.scan, interfaces: f.scan.interfaces.map((i) => (i.name === 'enp1s0v0' ? { ...i, device: '0000:01:10.0', management: true } : i)) };
    const p = planAssign({ ...f, scan }, { address: '0000:01:00.0' }, ids);
    expect(check(p, 'management-nic')?.detail).toMatch(/VF 0000:01:10.0/);
    expect(p.refusal?.confirmText).toBe('enp1s0v0');
  });

  it('only warns for a VF whose PF carries the management interface (the PF keeps its driver)', async () => {
    const f = await lab();
    const scan = { ...f.scan, interfaces: f.scan.interfaces.map((i) => (i.name === 'enp1s0' ? { ...i, device: '0000:01:00.0', management: true } : i)) };
    const p = planAssign({ ...f, scan }, { address: '0000:01:10.0' }, ids);
    expect(check(p, 'management-nic')).toMatchObject({ status: 'warn', detail: expect.stringContaining('VF of 0000:01:00.0') });
    expect(p.refusal).toBeNull();
  });

  it('assigning twice with an owner is still a no-op', async () => {
    expect(planAssign(await lab(), { address: '0000:01:10.2', ownerUid: 1000 }, ids)).toMatchObject({ noop: true, steps: [] });
  });

  it('refuses the display in use, not forceable', async () => {
    const p = planAssign(await lab(), { address: '0000:00:01.0', force: true }, ids);
    expect(check(p, 'display')?.status).toBe('fail');
    expect(p.refusal?.forceable).toBe(false);
  });

  it('binds a driver-less device with override + probe only', async () => {
    const p = planAssign(await lab(), { address: '0000:00:04.0' }, ids);
    expect(verbs(p)).toEqual(['set-driver-override 0000:00:04.0', 'probe 0000:00:04.0']);
  });

  it('rejects bad addresses and unknown devices with BAD_INPUT', async () => {
    const f = await lab();
    expect(() => planAssign(f, { address: '0000:01:00.0/../../etc' }, ids)).toThrow(/not a PCI address/);
    expect(() => planAssign(f, { address: '0000:09:00.0' }, ids)).toThrow('No PCI device 0000:09:00.0 on this host');
  });
});

describe('planRelease and planUndo', () => {
  async function labAssigned(): Promise<HostFacts> {
    const spec = labHostSpec();
    spec.devices = spec.devices.map((d) => (d.address === '0000:00:04.0' ? { ...d, driver: 'vfio-pci', driverOverride: 'vfio-pci' } : d));
    return facts(buildFakeHost(spec), { persisted: new Set(['0000:00:04.0']) });
  }

  it('restores the recorded driver and removes persistence', async () => {
    const p = planRelease(await labAssigned(), '0000:00:04.0', { driver: 'e1000e', driverOverride: null }, ids);
    expect(p.steps.flatMap((s) => s.shell)).toEqual([
      'echo 0000:00:04.0 > /sys/bus/pci/drivers/vfio-pci/unbind',
      'echo > /sys/bus/pci/devices/0000:00:04.0/driver_override',
      'echo 0000:00:04.0 > /sys/bus/pci/drivers_probe',
      'rm -f /etc/udev/rules.d/90-passthru-0000:00:04.0.rules',
      'rm -f /etc/modules-load.d/passthru-vfio.conf',
    ]);
    expect(p.steps[2]?.op).toEqual({ verb: 'probe', address: '0000:00:04.0', expectDriver: 'e1000e' });
    expect(groupOutcome(p)!.remainingBlockers).toEqual([{ address: '0000:00:04.0', driver: 'e1000e' }]);
  });

  it('leaves a device that had no driver unbound; unknown original lets the kernel choose', async () => {
    const f = await labAssigned();
    expect(verbs(planRelease(f, '0000:00:04.0', { driver: null, driverOverride: null }, ids))).toEqual([
      'unbind 0000:00:04.0',
      'set-driver-override 0000:00:04.0',
      'remove-persistence 0000:00:04.0',
    ]);
    const unknown = planRelease(f, '0000:00:04.0', null, ids);
    const reprobe = unknown.steps.find((s) => s.op.verb === 'probe');
    expect(reprobe?.op).toEqual({ verb: 'probe', address: '0000:00:04.0', expectDriver: KERNEL_CHOOSES });
    expect(reprobe?.undo).toBeNull();
    expect(reprobe?.title).toContain('most likely e1000e');
    expect(unknown.checks[0]).toMatchObject({ status: 'warn', detail: expect.stringContaining('the kernel chooses (most likely e1000e)') });
  });

  it('refuses to give back a device a running VM holds (the unbind would hang)', async () => {
    const f = await labAssigned();
    const group = f.scan.devices.find((d) => d.address === '0000:00:04.0')!.iommuGroup!;
    const held = { ...f, vfioGroupUsers: new Map([[group, [{ pid: 777, command: 'qemu-system-x86' }]]]) };
    const p = planRelease(held, '0000:00:04.0', { driver: 'e1000e', driverOverride: null }, ids);
    expect(p.refusal).toMatchObject({ forceable: false, message: expect.stringContaining('qemu-system-x86 (pid 777)') });
    expect(p.noop).toBe(false);
    expect(planRelease(f, '0000:00:04.0', { driver: 'e1000e', driverOverride: null }, ids).refusal).toBeNull();
  });

  it('rejects a tampered journal driver name', async () => {
    const f = await labAssigned();
    expect(() => planRelease(f, '0000:00:04.0', { driver: 'vfio-pci\nnvme', driverOverride: null }, ids)).toThrow(/not a driver name/);
  });

  it('is a no-op for a device not on vfio-pci', async () => {
    const p = planRelease(await facts(fixture('seed')), '0000:01:00.0', null, ids);
    expect(p).toMatchObject({ noop: true, steps: [], refusal: null });
  });

  it('undo reverses the done steps of an applied plan, in reverse order', async () => {
    const seed = fixture('seed');
    const applied = planAssign(await facts(seed), { address: '0000:01:00.0' }, ids);
    const record: JournalRecord = {
      version: 2,
      journalId: 'j1',
      root: seed,
      kind: 'assign',
      target: applied.target,
      devices: applied.devices,
      original: applied.original,
      startedAt: ids.now,
      finishedAt: ids.now,
      state: 'applied',
      reverses: null,
      steps: applied.steps.map((s) => ({ id: s.id, op: s.op, undo: s.undo, state: 'done', error: null })),
    };
    const u = planUndoOf(record, undoContext(seed, { planId: 'u1', now: ids.now }), await facts(seed));
    expect(groupOutcome(u)).toEqual({ iommuGroup: 6, groupViable: false, remainingBlockers: [{ address: '0000:01:00.0', driver: 'igb' }] });
    expect(u.kind).toBe('undo');
    expect(u.steps.map((s) => s.op)).toEqual([
      { verb: 'unbind', address: '0000:01:00.0', driver: 'vfio-pci' },
      { verb: 'set-driver-override', address: '0000:01:00.0', driver: null },
      { verb: 'probe', address: '0000:01:00.0', expectDriver: 'igb' },
    ]);
    expect(planUndoOf({ ...record, state: 'undone' }, undoContext(seed, ids), null).refusal).not.toBeNull();
  });
});
