import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VfSettings } from '#shared/model';
import type { Plan } from '#shared/plan';
import { ApplyEngine } from '../apply/apply-engine';
import { JournalStore } from '../apply/journal-store';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { FakeKernel } from '../testing/fake-kernel';
import { buildFakeHost, labHostSpec, makeTempRoot } from '../testing/fake-sysfs';
import { gatherHostFacts, type HostFacts } from './host-facts';
import { sriovPersistenceFile } from '../formats/persistence-files';
import { finishPlan } from '../changes/finish-plan';
import { OPS } from '../ops';
import { planSriov as draftSriov, planVfConfig as draftVfConfig } from './sriov-planner';

const ids = { planId: 'p1', now: '2026-11-24T21:00:00.000Z' };
const fixture = (name: string): string => `${__dirname}/../../../e2e/fixtures/${name}`;
const PF = '0000:01:00.0';
// The planners' drafts as the user sees them: with each op's own shell lines.
const planSriov = (...a: Parameters<typeof draftSriov>): Plan => finishPlan(draftSriov(...a), OPS);
const planVfConfig = (...a: Parameters<typeof draftVfConfig>): Plan => finishPlan(draftVfConfig(...a), OPS);

async function facts(root: string, patch: Partial<HostFacts> = {}): Promise<HostFacts> {
  const fs = new RootFs(root);
  return { ...(await gatherHostFacts(fs, await scanHost(fs))), ...patch };
}
const check = (p: Plan, id: string) => p.checks.find((c) => c.id === id);
const ops = (p: Plan) => p.steps.map((s) => s.op);

/** The many-vfs PF with the VF table its driver would report. */
async function withVfTable(root: string, table: VfSettings[] | null): Promise<HostFacts> {
  const f = await facts(root);
  f.scan.devices = f.scan.devices.map((d) => (d.address === PF && d.sriov ? { ...d, sriov: { ...d.sriov, vfSettings: table } } : d));
  return f;
}

describe('planSriov', () => {
  it('0 → 2 on the seed igb: one write, undone by writing 0, with the shell line', async () => {
    const p = planSriov(await facts(fixture('seed')), { address: PF, numVfs: 2 }, ids);
    expect(p).toMatchObject({ kind: 'sriov', refusal: null, noop: false, detail: { kind: 'sriov', numVfs: 2, autoprobe: true } });
    expect(ops(p)).toEqual([{ verb: 'set-sriov-numvfs', address: PF, count: 2 }]);
    expect(p.steps[0]?.shell).toEqual([`echo 2 > /sys/bus/pci/devices/${PF}/sriov_numvfs`]);
    expect(p.steps[0]?.undo).toEqual({ verb: 'set-sriov-numvfs', address: PF, count: 0 });
    expect(check(p, 'pf-driver')?.status).toBe('pass');
  });

  it('N → M goes through 0, warns that the VFs are recreated, and undoes exactly', async () => {
    const p = planSriov(await facts(fixture('many-vfs')), { address: PF, numVfs: 3 }, ids);
    expect(ops(p)).toEqual([
      { verb: 'set-sriov-numvfs', address: PF, count: 0 },
      { verb: 'set-sriov-numvfs', address: PF, count: 3 },
    ]);
    expect(check(p, 'through-zero')).toMatchObject({ status: 'warn', detail: expect.stringContaining('removes all 7 VFs, then creates 3') });
    expect([...p.steps].reverse().map((s) => s.undo)).toEqual([
      { verb: 'set-sriov-numvfs', address: PF, count: 0 },
      { verb: 'set-sriov-numvfs', address: PF, count: 7 },
    ]);
    expect(p.devices).toHaveLength(8);
  });

  it('the same count is a no-op; counts out of range and non-SR-IOV devices are bad input', async () => {
    const f = await facts(fixture('many-vfs'));
    expect(planSriov(f, { address: PF, numVfs: 7 }, ids)).toMatchObject({ noop: true, steps: [] });
    expect(() => planSriov(f, { address: PF, numVfs: 8 }, ids)).toThrow(/at most 7 VFs; 8 asked/);
    expect(() => planSriov(f, { address: PF, numVfs: -1 }, ids)).toThrow(/not a number of VFs/);
    expect(() => planSriov(f, { address: PF, numVfs: 1.5 }, ids)).toThrow(/not a number of VFs/);
    const vf = f.scan.devices.find((d) => d.physfn === PF)!.address;
    expect(() => planSriov(f, { address: vf, numVfs: 1 }, ids)).toThrow(/itself a VF of 0000:01:00.0/);
    expect(() => planSriov(f, { address: '0000:00:1f.2', numVfs: 1 }, ids)).toThrow(/no SR-IOV capability/);
  });

  it('refuses to remove a VF on vfio-pci or held open by a VM, and names them', async () => {
    const f = await facts(fixture('many-vfs'));
    const [vf0, vf1] = f.scan.devices.filter((d) => d.physfn === PF);
    f.scan.devices = f.scan.devices.map((d) => (d.address === vf0!.address ? { ...d, driver: 'vfio-pci' } : d));
    const onVfio = planSriov(f, { address: PF, numVfs: 0 }, ids);
    expect(onVfio.refusal).toMatchObject({ forceable: false, message: expect.stringContaining(`${vf0!.address} is on vfio-pci`) });
    expect(onVfio.refusal?.remedy).toContain(`Give ${vf0!.address} back to its driver first`);
    const held = await facts(fixture('many-vfs'), { vfioGroupUsers: new Map([[vf1!.iommuGroup!, [{ pid: 4242, command: 'qemu-system-x86' }]]]) });
    const p = planSriov(held, { address: PF, numVfs: 2 }, ids);
    expect(p.refusal).toMatchObject({ forceable: false, message: expect.stringContaining('qemu-system-x86 pid 4242') });
  });

  it('refuses without the PF driver (none, or vfio-pci)', async () => {
    const f = await facts(fixture('seed'));
    f.scan.devices = f.scan.devices.map((d) => (d.address === PF ? { ...d, driver: 'vfio-pci' } : d));
    expect(planSriov(f, { address: PF, numVfs: 2 }, ids).refusal?.message).toMatch(/on vfio-pci/);
    f.scan.devices = f.scan.devices.map((d) => (d.address === PF ? { ...d, driver: null } : d));
    expect(planSriov(f, { address: PF, numVfs: 2 }, ids).refusal?.message).toMatch(/has no driver/);
  });

  it('VFs on the management PF: not refused, and said once (one host-network check, not two)', async () => {
    const f = await facts(fixture('seed'));
    f.scan.interfaces = f.scan.interfaces.map((i) => (i.device === PF ? { ...i, management: true } : i));
    const p = planSriov(f, { address: PF, numVfs: 2 }, ids);
    expect(p.refusal).toBeNull();
    expect(p.checks.filter((c) => /management|host network/i.test(`${c.id} ${c.title}`))).toHaveLength(1);
    expect(check(p, 'management-nic')).toMatchObject({ status: 'pass', detail: expect.stringContaining('the host stays online') });
  });

  it('autoprobe off comes first; --persist writes the rule; 0 removes an existing rule', async () => {
    const p = planSriov(await facts(fixture('seed')), { address: PF, numVfs: 2, autoprobe: false, persist: true }, ids);
    expect(ops(p).map((o) => o.verb)).toEqual(['set-sriov-autoprobe', 'set-sriov-numvfs', 'write-sriov-persistence']);
    expect(p.steps[2]?.files?.[0]).toEqual({
      path: `/etc/udev/rules.d/91-passthru-sriov-${PF}.rules`,
      content: expect.stringContaining(`KERNEL=="${PF}", DRIVER!="vfio-pci", ATTR{sriov_drivers_autoprobe}="0", ATTR{sriov_numvfs}="2"`),
    });
    expect(p.steps[2]?.undo).toEqual({ verb: 'remove-sriov-persistence', address: PF });
    const persisted = await facts(fixture('many-vfs'), { sriovPersisted: new Map([[PF, { numVfs: 7, autoprobe: true }]]) });
    expect(ops(planSriov(persisted, { address: PF, numVfs: 0 }, ids)).map((o) => o.verb)).toEqual(['set-sriov-numvfs', 'remove-sriov-persistence']);
    // A kept rule follows the count even without --persist.
    const follow = planSriov(persisted, { address: PF, numVfs: 4 }, ids);
    expect(follow.steps.at(-1)?.op).toEqual({ verb: 'write-sriov-persistence', address: PF, numVfs: 4, autoprobe: true });
    expect(follow.steps.at(-1)?.undo).toEqual({ verb: 'write-sriov-persistence', address: PF, numVfs: 7, autoprobe: true });
    // persist: false drops it, with the VFs left as they are.
    expect(ops(planSriov(persisted, { address: PF, numVfs: 7, persist: false }, ids))).toEqual([{ verb: 'remove-sriov-persistence', address: PF }]);
    expect(planSriov(persisted, { address: PF, numVfs: 7 }, ids)).toMatchObject({ noop: true, detail: { kind: 'sriov', persist: true } });
  });
  it('reads a boot rule Passthru wrote into the scan (sriov.bootRule)', async () => {
    const root = buildFakeHost(labHostSpec());
    const f = sriovPersistenceFile(PF, 3, false);
    mkdirSync(`${root}/etc/udev/rules.d`, { recursive: true });
    writeFileSync(`${root}${f.path}`, f.content);
    const got = await facts(root);
    expect(got.scan.devices.find((d) => d.address === PF)?.sriov?.bootRule).toEqual({ numVfs: 3, autoprobe: false });
    expect(got.sriovPersisted.get(PF)).toEqual({ numVfs: 3, autoprobe: false });
  });
});

describe('planVfConfig', () => {
  const table: VfSettings[] = [0, 1, 2, 3, 4, 5, 6].map((index) => ({ index, mac: null, vlan: 0, qos: 0, spoofCheck: true, trust: false, linkState: 'auto' }));

  it('reads the VF table the fixture captured from the real igb (ip -j link show)', async () => {
    const pf = (await facts(fixture('many-vfs'))).scan.devices.find((d) => d.address === PF)!;
    expect(pf.sriov?.vfSettings).toEqual(table);
  });

  it('one step per setting, each undone to the value the driver reports now', async () => {
    const p = planVfConfig(await withVfTable(fixture('many-vfs'), table), { address: PF, vf: 1, settings: { mac: '02:AA:BB:CC:DD:EE', vlan: 100, qos: 3, trust: true } }, ids);
    expect(p.refusal).toBeNull();
    expect(ops(p)).toEqual([
      { verb: 'set-vf', address: PF, vf: 1, settings: { mac: '02:aa:bb:cc:dd:ee' } },
      { verb: 'set-vf', address: PF, vf: 1, settings: { vlan: 100, qos: 3 } },
      { verb: 'set-vf', address: PF, vf: 1, settings: { trust: true } },
    ]);
    expect(p.steps.map((s) => s.undo)).toEqual([
      { verb: 'set-vf', address: PF, vf: 1, settings: { mac: '00:00:00:00:00:00' } },
      { verb: 'set-vf', address: PF, vf: 1, settings: { vlan: 0 } },
      { verb: 'set-vf', address: PF, vf: 1, settings: { trust: false } },
    ]);
    expect(p.steps[0]?.shell[0]).toBe(`ip link set dev "$(ls /sys/bus/pci/devices/${PF}/net)" vf 1 mac 02:aa:bb:cc:dd:ee`);
  });

  it('skips settings already in place; refuses bad values before planning', async () => {
    const f = await withVfTable(fixture('many-vfs'), table);
    expect(planVfConfig(f, { address: PF, vf: 0, settings: { spoofCheck: true, trust: false } }, ids)).toMatchObject({ noop: true, steps: [] });
    expect(() => planVfConfig(f, { address: PF, vf: 7, settings: { trust: true } }, ids)).toThrow(/has 7 VFs; there is no VF 7/);
    expect(() => planVfConfig(f, { address: PF, vf: 0, settings: { mac: '01:00:5e:00:00:01' } }, ids)).toThrow(/multicast/);
    expect(() => planVfConfig(f, { address: PF, vf: 0, settings: { vlan: 4096 } }, ids)).toThrow(/VLAN/);
    expect(() => planVfConfig(f, { address: PF, vf: 0, settings: { qos: 2 } }, ids)).toThrow(/goes with a VLAN/);
    expect(() => planVfConfig(f, { address: PF, vf: 0, settings: {} }, ids)).toThrow(/Nothing to change/);
  });

  it("without the driver's VF table it warns and the steps have no undo", async () => {
    const p = planVfConfig(await withVfTable(fixture('many-vfs'), null), { address: PF, vf: 0, settings: { mac: '02:00:00:00:00:01' } }, ids);
    expect(check(p, 'vf-settings-known')?.status).toBe('warn');
    expect(p.steps[0]?.undo).toBeNull();
  });
});

describe('SR-IOV plans applied on the fake kernel', () => {
  it('2 → 4 through 0: the kernel ends with 4 VFs, the journal has both steps', async () => {
    const root = buildFakeHost(labHostSpec());
    const kernel = new FakeKernel(root);
    const p = planSriov(await facts(root), { address: PF, numVfs: 4 }, ids);
    const engine = new ApplyEngine({
      store: new JournalStore(makeTempRoot('passthru-state-')),
      context: {
        root,
        fs: new RootFs(root),
        runCommand: async () => {
          throw new Error('no commands');
        },
        writer: kernel.writer,
      },
    });
    const r = await engine.apply(p);
    expect(r).toMatchObject({ ok: true });
    expect(kernel.writes.filter((w) => w.path.endsWith('sriov_numvfs')).map((w) => w.value)).toEqual(['0', '4']);
    const after = await facts(root);
    expect(after.scan.devices.find((d) => d.address === PF)?.sriov).toMatchObject({ numVfs: 4, vfs: ['0000:01:10.0', '0000:01:10.1', '0000:01:10.2', '0000:01:10.3'] });
  });

  it('a failure creating the new VFs rolls back to the old count', async () => {
    const root = buildFakeHost(labHostSpec());
    const kernel = new FakeKernel(root);
    const p = planSriov(await facts(root), { address: PF, numVfs: 4 }, ids);
    kernel.failNext('/sriov_numvfs', 'ENOMEM', false, '4');
    const engine = new ApplyEngine({
      store: new JournalStore(makeTempRoot('passthru-state-')),
      context: {
        root,
        fs: new RootFs(root),
        runCommand: async () => {
          throw new Error('no commands');
        },
        writer: kernel.writer,
      },
    });
    const r = await engine.apply(p);
    expect(r).toMatchObject({ ok: false, failedStep: `create-vfs-${PF}`, rolledBack: true });
    expect(r.error?.message).toMatch(/ENOMEM/);
    expect((await facts(root)).scan.devices.find((d) => d.address === PF)?.sriov).toMatchObject({ numVfs: 2 });
    expect(kernel.writes.filter((w) => w.path.endsWith('sriov_numvfs')).map((w) => w.value)).toEqual(['0', '4', '2']);
  });
});
