/**
 * The write commands, run as the built binary on fake trees. The spawned CLI has no fake
 * kernel, so the journal is prepared in-process (ChangeService over the fake kernel) and the
 * binary is exercised on what needs no kernel reaction: history, dry runs, refusals to act
 * without confirmation, the interrupted-change notice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRig } from '../host/testing/apply-test-support';
import { ChangeService } from '../host/changes/change-service';
import { iommuTestRoot } from '../host/testing/iommu-roots';
import { buildCli, runCli, type BuiltCli } from './testing/cli-test-support';

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
}, 60_000);
afterAll(() => cli?.dispose());

async function hostWithOneAssign() {
  const rig = makeRig();
  const svc = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer });
  const result = await svc.apply((await svc.planChange({ kind: 'assign', address: '0000:01:10.0' })).id, {});
  expect(result.ok).toBe(true);
  return { rig, journalId: result.journalId, at: ['--root', rig.root, '--state-dir', rig.stateDir] };
}

describe('passthru history / undo / assign (built CLI)', () => {
  it('history --json lists the journal newest first', async () => {
    const { journalId, at } = await hostWithOneAssign();
    const r = runCli(cli, ['history', '--json', ...at]);
    expect(r.status).toBe(0);
    const { entries } = JSON.parse(r.stdout) as { entries: { journalId: string; kind: string; state: string; steps: unknown[] }[] };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ journalId, kind: 'assign', state: 'applied' });
    expect(entries[0]?.steps).toHaveLength(3);
    const text = runCli(cli, ['history', ...at]);
    expect(text.stdout).toMatch(/assign 0000:01:10\.0 {2}applied/);
  });

  it('undo --dry-run prints the exact reverse and changes nothing', async () => {
    const { rig, at } = await hostWithOneAssign();
    const before = fs.readdirSync(rig.stateDir);
    const r = runCli(cli, ['undo', '--dry-run', ...at]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/undo 0000:01:10\.0/);
    // Newest first: the bind is reversed before the unbind is.
    expect(r.stdout.indexOf('Detach 0000:01:10.0 from its driver vfio-pci')).toBeLessThan(r.stdout.indexOf('Ask the kernel to bind 0000:01:10.0 to igbvf'));
    expect(r.stdout).toContain('$ echo 0000:01:10.0 > /sys/bus/pci/drivers/vfio-pci/unbind');
    expect(fs.readdirSync(rig.stateDir)).toEqual(before);
    const j = JSON.parse(runCli(cli, ['undo', '--dry-run', '--json', ...at]).stdout) as { kind: string; steps: unknown[] };
    expect(j).toMatchObject({ kind: 'undo' });
    expect(j.steps).toHaveLength(3);
  });

  it('a tree of files has no kernel: the undo is refused in its plan (exit 5), naming the commands, before anything is asked', async () => {
    const { rig, at } = await hostWithOneAssign();
    const link = () => fs.readlinkSync(path.join(rig.root, 'sys/bus/pci/devices/0000:01:10.0/driver'));
    const before = link();
    const dry = JSON.parse(runCli(cli, ['undo', '--dry-run', '--json', ...at]).stdout) as { refusal: { code: string; message: string } };
    expect(dry.refusal).toMatchObject({ code: 'ENVIRONMENT', message: expect.stringContaining('is a tree of files, not a running system') });
    const r = runCli(cli, ['undo', '--yes', ...at]);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/echo 0000:01:10\.0 > \/sys\/bus\/pci\/drivers\/vfio-pci\/unbind/);
    expect(link()).toBe(before);
    expect(fs.readdirSync(rig.stateDir)).toHaveLength(1);
  });

  it('without a terminal and without --yes it refuses (exit 2) and changes nothing', () => {
    const root = iommuTestRoot('debian12');
    const grub = fs.readFileSync(path.join(root, 'etc/default/grub'), 'utf8');
    const r = runCli(cli, ['iommu', 'enable', '--root', root, '--state-dir', path.join(root, 'journal')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no terminal.*--yes/);
    const j = runCli(cli, ['iommu', 'enable', '--json', '--root', root, '--state-dir', path.join(root, 'journal')]);
    expect(j.status).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'BAD_INPUT' } });
    expect(fs.readFileSync(path.join(root, 'etc/default/grub'), 'utf8')).toBe(grub);
    expect(fs.existsSync(path.join(root, 'etc/default/grub.d/90-passthru-iommu.cfg'))).toBe(false);
  });

  it('reports an interrupted change at the start of a write command, with how to roll it back', async () => {
    const { rig, journalId, at } = await hostWithOneAssign();
    const file = path.join(rig.stateDir, `${journalId}.json`);
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { state: string };
    fs.writeFileSync(file, JSON.stringify({ ...rec, state: 'applying' }));
    const r = runCli(cli, ['undo', ...at]);
    expect(r.stderr).toContain(`passthru undo --journal ${journalId} --yes`);
    const dry = runCli(cli, ['undo', '--journal', journalId, '--dry-run', ...at]);
    expect(dry.status).toBe(0);
    // The rollback preview lists each step it runs, with its shell line.
    expect(dry.stdout).toMatch(/interrupted while applying/);
    expect(dry.stdout).toContain('Detach 0000:01:10.0 from its driver vfio-pci');
    expect(dry.stdout).toContain('$ echo 0000:01:10.0 > /sys/bus/pci/drivers/vfio-pci/unbind');
  });

  it("assign --dry-run prints the real planner's plan and changes nothing", async () => {
    const { rig } = await hostWithOneAssign();
    const at = ['--root', rig.root, '--state-dir', rig.stateDir];
    const r = runCli(cli, ['assign', '0000:01:00.0', '--dry-run', '--json', ...at]);
    expect([0, 3, 5]).toContain(r.status);
    if (r.status === 0) expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'assign', target: '0000:01:00.0' });
    expect(fs.readdirSync(rig.stateDir)).toHaveLength(1);
  });

  it('usage errors are exit 2', () => {
    expect(runCli(cli, ['assign']).status).toBe(2);
    expect(runCli(cli, ['assign', '0000:01:00.0', '--bogus']).status).toBe(2);
    expect(runCli(cli, ['release', '--help']).stdout).toMatch(/Usage: passthru release/);
  });
});
