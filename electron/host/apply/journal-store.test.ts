/**
 * The journal as input: a record that is not one is shown as unreadable and blocks nothing; a
 * forged record cannot make undo show one thing and do another; a change made under another
 * root is never undone here.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpCall } from '#shared/plan';
import { makeManagementNic, makeRootDiskController } from '../testing/host-roles';
import { makeRig, planAndApply, type Rig } from '../testing/apply-test-support';
import type { JournalRecord } from './journal-store';
import { JournalStore } from './journal-store';

const VF = '0000:01:10.0';
const SATA = '0000:00:1f.2';

async function assignedVf(rig: Rig): Promise<JournalRecord> {
  const result = await planAndApply(rig.executor(), { kind: 'assign', address: VF, group: false, persist: false, force: false, ownerUid: null });
  expect(result.ok).toBe(true);
  return new JournalStore(rig.stateDir).load(result.journalId)!;
}

function write(rig: Rig, name: string, content: string): string {
  const file = path.join(rig.stateDir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('JournalStore reading hostile or broken files', () => {
  it('lists every file that is not a record as unreadable, with its file and why, and keeps the rest', async () => {
    const rig = makeRig();
    const good = await assignedVf(rig);
    const files = {
      json: write(rig, 'half-written.json', '{"version": 2, "journalId": "half'),
      shape: write(rig, 'shape.json', JSON.stringify({ ...good, journalId: 'shape', steps: [{ ...good.steps[0], op: null }] })),
      proto: write(rig, 'proto.json', JSON.stringify({ ...good, journalId: 'proto', steps: [{ ...good.steps[0], op: { verb: '__proto__' } }] })),
      extra: write(rig, 'extra.json', JSON.stringify({ ...good, journalId: 'extra', plan: { steps: [] } })),
      name: write(rig, 'other-name.json', JSON.stringify(good)),
      huge: path.join(rig.stateDir, 'huge.json'),
      link: path.join(rig.stateDir, 'link.json'),
      fifo: path.join(rig.stateDir, 'fifo.json'),
    };
    fs.writeFileSync(files.huge, '');
    fs.truncateSync(files.huge, 64 * 1024 * 1024); // sparse: never read whole
    fs.symlinkSync('/etc/passwd', files.link);
    execFileSync('mkfifo', [files.fifo]); // nobody writes it: a blocking read would hang forever
    const history = new JournalStore(rig.stateDir).history();
    expect(history.entries.map((e) => e.journalId)).toEqual([good.journalId]);
    const problems = Object.fromEntries(history.unreadable.map((u) => [path.basename(u.file), u.problem]));
    expect(problems).toEqual({
      'half-written.json': expect.stringMatching(/not valid JSON/),
      'shape.json': expect.stringMatching(/not a journal record/),
      'proto.json': expect.stringMatching(/not a journal record/),
      'extra.json': expect.stringMatching(/not a journal record/),
      'other-name.json': expect.stringMatching(/not its own file/),
      'huge.json': expect.stringMatching(/larger than any record/),
      'link.json': expect.stringMatching(/symbolic link/),
      'fifo.json': expect.stringMatching(/not a regular file/),
    });
    // Nothing else is in the way: the good entry is undone as usual.
    expect((await planAndApply(rig.executor(), { kind: 'undo', journalId: good.journalId })).ok).toBe(true);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    // An unreadable entry is named as such when asked for.
    await expect(rig.executor().plan({ kind: 'undo', journalId: 'shape' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/cannot be read: it is not a journal record/),
    });
  });

  it('a journal directory that cannot be written stops the change before its first step (ENVIRONMENT)', async () => {
    const rig = makeRig();
    const executor = new (rig.executor().constructor as typeof import('../changes/change-executor').ChangeExecutor)({
      root: rig.root,
      stateDir: '/proc/passthru-journal',
      caller: { uid: null },
      runCommand: rig.runner,
      writer: rig.kernel.writer,
    });
    const intent = { kind: 'assign', address: VF, group: false, persist: false, force: false, ownerUid: null } as const;
    await expect(planAndApply(executor, intent)).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringMatching(/cannot write its journal in \/proc\/passthru-journal/),
    });
    expect(rig.kernel.writes).toEqual([]);
  });

  it('property: any file content is either a record or unreadable, never an error', () => {
    const rig = makeRig();
    const store = new JournalStore(rig.stateDir);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.anything().map((v) => JSON.stringify(v) ?? 'undefined'),
        ),
        (text) => {
          fs.writeFileSync(path.join(rig.stateDir, 'x.json'), text);
          const h = store.history();
          expect(h.entries.length + h.unreadable.length).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a version-1 record (its plan stored whole) without its words, and does not guess its root', () => {
    const rig = makeRig();
    const op: OpCall = { verb: 'set-driver-override', address: VF, driver: 'vfio-pci' };
    write(
      rig,
      'old.json',
      JSON.stringify({
        version: 1,
        journalId: 'old',
        plan: { kind: 'assign', target: VF, devices: [VF], steps: [] },
        original: { [VF]: { driver: 'igbvf', driverOverride: null } },
        state: 'applied',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.000Z',
        steps: [{ id: 'o', title: 'Something harmless', op, undo: { verb: 'set-driver-override', address: VF, driver: null }, state: 'done', error: null }],
        reverses: null,
      }),
    );
    const [entry] = new JournalStore(rig.stateDir).history().entries;
    expect(entry).toMatchObject({ journalId: 'old', root: null, kind: 'assign', steps: [{ title: `Tell the kernel that ${VF} should only be driven by vfio-pci` }] });
  });
});

describe('undo made from the journal', () => {
  /** A record as a forger would write it: the words say one thing, the undo op does another. */
  function forged(rig: Rig, journalId: string, undo: OpCall, root = rig.root): void {
    const record = {
      version: 2,
      journalId,
      root,
      kind: 'vf-config',
      target: '0000:01:00.0',
      devices: ['0000:01:00.0'],
      original: {},
      state: 'applied',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      reverses: null,
      steps: [
        {
          id: 'vf0-mac',
          title: 'Set the MAC of VF 0',
          shell: ['ip link set dev enp1s0 vf 0 mac 02:00:00:00:00:01'],
          op: { verb: 'set-vf', address: '0000:01:00.0', vf: 0, settings: { mac: '02:00:00:00:00:01' } },
          undo,
          state: 'done',
          error: null,
        },
      ],
    };
    write(rig, `${journalId}.json`, JSON.stringify(record));
  }

  it('a stored title or shell line is not a record: such a file is unreadable', () => {
    const rig = makeRig();
    forged(rig, 'forged', { verb: 'set-driver-override', address: SATA, driver: 'vfio-pci' });
    expect(new JournalStore(rig.stateDir).history().unreadable).toHaveLength(1);
  });

  it('shows the real op of every undo step, and the host guard refuses taking the root disk', async () => {
    const rig = makeRig();
    makeRootDiskController(rig.root, SATA);
    const steps = [
      {
        id: 'a',
        op: { verb: 'set-vf', address: '0000:01:00.0', vf: 0, settings: { mac: '02:00:00:00:00:01' } },
        undo: { verb: 'unbind', address: SATA, driver: 'ahci' },
        state: 'done',
        error: null,
      },
    ];
    write(
      rig,
      'sneaky.json',
      JSON.stringify({
        version: 2,
        journalId: 'sneaky',
        root: rig.root,
        kind: 'vf-config',
        target: '0000:01:00.0',
        devices: ['0000:01:00.0'],
        original: {},
        state: 'applied',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.000Z',
        reverses: null,
        steps,
      }),
    );
    const plan = await rig.executor().plan({ kind: 'undo', journalId: 'sneaky' });
    expect(plan.steps.map((s) => [s.title, s.shell])).toEqual([[`Detach ${SATA} from its driver ahci`, [`echo ${SATA} > /sys/bus/pci/drivers/ahci/unbind`]]]);
    expect(plan.refusal).toMatchObject({ forceable: false, message: expect.stringMatching(/mounted filesystem/) });
    await expect(planAndApply(rig.executor(), { kind: 'undo', journalId: 'sneaky' })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(rig.kernel.writes).toEqual([]);
  });

  it('the undo of a release would re-take the management NIC: refused like an assign', async () => {
    const rig = makeRig();
    await assignedVf(rig);
    expect((await planAndApply(rig.executor(), { kind: 'release', address: VF })).ok).toBe(true);
    makeManagementNic(rig.root, 'enp1s0v0');
    const [release] = new JournalStore(rig.stateDir).all();
    const plan = await rig.executor().plan({ kind: 'undo', journalId: release!.journalId });
    expect(plan.refusal?.message).toMatch(/default route/);
    await expect(planAndApply(rig.executor(), { kind: 'undo', journalId: release!.journalId })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
  });

  it('a change journaled under another root is refused, naming that root; so is a record without one', async () => {
    const rig = makeRig();
    const good = await assignedVf(rig);
    write(rig, 'elsewhere.json', JSON.stringify({ ...good, journalId: 'elsewhere', root: '/' }));
    const plan = await rig.executor().plan({ kind: 'undo', journalId: 'elsewhere' });
    expect(plan.steps).toEqual([]);
    expect(plan.refusal?.message).toMatch(/was made on \/, not on/);
    await expect(planAndApply(rig.executor(), { kind: 'undo', journalId: 'elsewhere' })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });

  it('a rollback preview lists its steps, newest first, with their shell lines', async () => {
    const rig = makeRig();
    const good = await assignedVf(rig);
    const store = new JournalStore(rig.stateDir);
    store.save({ ...good, state: 'applying', finishedAt: null, steps: good.steps.map((s, i) => ({ ...s, state: i < 2 ? 'done' : 'running' })) });
    const plan = await rig.executor().plan({ kind: 'undo', journalId: good.journalId });
    expect(plan.steps.map((s) => s.title)).toEqual([
      `Detach ${VF} from its driver vfio-pci`,
      `Clear the driver override of ${VF}, so the kernel picks its usual driver again`,
      `Ask the kernel to bind ${VF} to igbvf`,
    ]);
    expect(plan.steps.every((s) => s.shell.length > 0)).toBe(true);
  });
});
