/**
 * The undo shown for an IOMMU change is its real reverse, since a user may run it by hand.
 * Where the boot configuration lives in a tool's own state (grubby on Fedora, kernelstub on
 * Pop!_OS) the commands ARE the change, so the undo must be the opposite commands — not the
 * forward ones again. Checked by running both through a model of each tool: forward then undo
 * gives back the arguments exactly.
 */
import * as nodeFs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { TreeWriter } from '../testing/fake-sysfs';
import { iommuTestRoot } from '../testing/iommu-roots';
import { detectBootSetup, type BootSetup } from './detect';
import { planIommuDisable, planIommuEnable, type IommuPlan } from './plan';
import { iommuToPlan } from './to-plan';

/** What grubby and kernelstub do to the kernel arguments, for the argv Passthru gives them. */
function runTool(args: string[], argv: string[]): string[] {
  const [tool, ...rest] = argv;
  const without = (list: string[], drop: string[]) => list.filter((a) => !drop.includes(a));
  if (tool === 'grubby') {
    const remove = rest.find((a) => a.startsWith('--remove-args='));
    const add = rest.find((a) => a.startsWith('--args='));
    if (remove) return without(args, remove.slice('--remove-args='.length).split(' '));
    if (add)
      return [
        ...args,
        ...add
          .slice('--args='.length)
          .split(' ')
          .filter((a) => !args.includes(a)),
      ];
  }
  if (tool === 'kernelstub') {
    if (rest[0] === '--delete-options') return without(args, [rest[1]!]);
    if (rest[0] === '--add-options') return args.includes(rest[1]!) ? args : [...args, rest[1]!];
  }
  // Regenerating an initramfs does not touch the arguments.
  if (tool === 'dracut' || tool === 'update-initramfs') return args;
  throw new Error(`not modelled: ${argv.join(' ')}`);
}

const runAll = (args: string[], commands: string[][]) => commands.reduce(runTool, args);

const FEDORA_ENTRY = '/boot/loader/entries/8f1c2a3b4c5d6e7f8091a2b3c4d5e6f7-6.8.5-301.fc40.x86_64.conf';

/** The arguments a grubby or kernelstub host is configured with (as plan.ts reads them). */
function configured(root: string, family: 'fedora40' | 'popos'): string[] {
  if (family === 'popos') return (JSON.parse(nodeFs.readFileSync(`${root}/etc/kernelstub/configuration`, 'utf8')) as { user: { kernel_options: string[] } }).user.kernel_options;
  return (/^options\s+(.*)$/m.exec(nodeFs.readFileSync(root + FEDORA_ENTRY, 'utf8'))?.[1] ?? '').split(/\s+/);
}

/** A host of `family` whose configured arguments also hold `extra`. */
function hostWith(family: 'fedora40' | 'popos', extra: string[]): string {
  const root = iommuTestRoot(family);
  const w = new TreeWriter(root);
  if (family === 'popos') {
    const file = `${root}/etc/kernelstub/configuration`;
    const config = JSON.parse(nodeFs.readFileSync(file, 'utf8')) as { user: { kernel_options: string[] } };
    config.user.kernel_options.push(...extra);
    w.file('/etc/kernelstub/configuration', JSON.stringify(config, null, 2));
  } else if (extra.length) {
    w.file(FEDORA_ENTRY, nodeFs.readFileSync(root + FEDORA_ENTRY, 'utf8').replace(/^(options\s+.*)$/m, `$1 ${extra.join(' ')}`));
  }
  return root;
}

function shownUndo(setup: BootSetup, plan: IommuPlan, action: 'enable' | 'disable'): string[] {
  const shared = iommuToPlan(setup, plan, { action, pt: false, earlyVfio: false }, { planId: 'p', now: '2026-01-01T00:00:00.000Z' });
  return shared.steps[0]?.undoShell ?? [];
}

describe('the undo of an IOMMU change on grubby and kernelstub hosts is its reverse', () => {
  const cases: { family: 'fedora40' | 'popos'; extra: string[]; action: 'enable' | 'disable'; pt: boolean; early: boolean }[] = [];
  for (const family of ['fedora40', 'popos'] as const) {
    for (const extra of [[], ['intel_iommu=off'], ['iommu=pt'], ['intel_iommu=on', 'iommu=pt'], ['amd_iommu=on']]) {
      for (const action of ['enable', 'disable'] as const) {
        for (const pt of [false, true]) cases.push({ family, extra, action, pt, early: family === 'fedora40' && pt });
      }
    }
  }

  it.each(cases)('$family with $extra: $action (pt $pt, early $early) then its undo gives the arguments back', ({ family, extra, action, pt, early }) => {
    const root = hostWith(family, extra);
    const setup = detectBootSetup(new RootFs(root));
    const plan = action === 'enable' ? planIommuEnable(setup, { pt, earlyVfio: early }) : planIommuDisable(setup);
    const before = configured(root, family);
    const after = runAll(before, plan.commands);
    expect(runAll(after, plan.undoCommands)).toEqual(expect.arrayContaining(before));
    expect(runAll(after, plan.undoCommands).sort()).toEqual([...before].sort());
    if (plan.argEdits.length > 0) {
      // Shown to the user: the reverse commands, never the forward ones repeated.
      const undo = shownUndo(setup, plan, action);
      const argChanges = plan.commands.filter((c) => c[0] === 'grubby' || c[0] === 'kernelstub');
      expect(argChanges.length).toBeGreaterThan(0);
      for (const c of argChanges) expect(undo.join('\n')).not.toContain(c.map((w) => (w.includes(' ') ? `'${w}'` : w)).join(' '));
    }
  });

  it('Fedora: enabling shows --args=…, and its undo --remove-args=… of the same arguments', () => {
    const root = hostWith('fedora40', []);
    const setup = detectBootSetup(new RootFs(root));
    const plan = planIommuEnable(setup, { pt: true });
    expect(plan.commands).toEqual([['grubby', '--update-kernel=ALL', '--args=intel_iommu=on iommu=pt']]);
    expect(shownUndo(setup, plan, 'enable')).toEqual(["grubby --update-kernel=ALL '--remove-args=intel_iommu=on iommu=pt'"]);
  });

  it('Pop!_OS: enabling over intel_iommu=off shows delete off + add on, and its undo delete on + add off', () => {
    const root = hostWith('popos', ['intel_iommu=off']);
    const setup = detectBootSetup(new RootFs(root));
    const plan = planIommuEnable(setup);
    expect(plan.commands).toEqual([
      ['kernelstub', '--delete-options', 'intel_iommu=off'],
      ['kernelstub', '--add-options', 'intel_iommu=on'],
    ]);
    expect(shownUndo(setup, plan, 'enable')).toEqual(['kernelstub --delete-options intel_iommu=on', 'kernelstub --add-options intel_iommu=off']);
  });
});

describe('what the undo of an enable runs is what was shown: it puts back what the enable took out', () => {
  /** Rewrites the host's configured arguments to `args` (as the tool would leave them). */
  function setArgs(root: string, family: 'fedora40' | 'popos', args: string[]): void {
    const w = new TreeWriter(root);
    if (family === 'popos') {
      const file = `${root}/etc/kernelstub/configuration`;
      const config = JSON.parse(nodeFs.readFileSync(file, 'utf8')) as { user: { kernel_options: string[] } };
      config.user.kernel_options = args;
      w.file('/etc/kernelstub/configuration', JSON.stringify(config, null, 2));
    } else {
      w.file(FEDORA_ENTRY, nodeFs.readFileSync(root + FEDORA_ENTRY, 'utf8').replace(/^options\s+.*$/m, `options ${args.join(' ')}`));
    }
  }

  for (const family of ['fedora40', 'popos'] as const) {
    for (const extra of [['intel_iommu=off'], ['iommu=off'], ['intel_iommu=off', 'iommu=pt'], []]) {
      it(`${family} with ${JSON.stringify(extra)}: the undo plan made after the enable gives the arguments back, as shown`, () => {
        const root = hostWith(family, extra);
        const setup = detectBootSetup(new RootFs(root));
        const intent = { action: 'enable' as const, pt: true, earlyVfio: false };
        const plan = planIommuEnable(setup, intent);
        const before = configured(root, family);
        const after = runAll(before, plan.commands);
        const shown = iommuToPlan(setup, plan, intent, { planId: 'p', now: '2026-01-01T00:00:00.000Z' }).steps[0]!;
        // The undo op as journaled, planned again on the host as the enable left it.
        setArgs(root, family, after);
        const undoIntent = shown.undo!.verb === 'apply-boot-config' ? shown.undo!.intent : null;
        const undo = planIommuDisable(detectBootSetup(new RootFs(root)), { only: undoIntent!.only, restore: undoIntent!.restore, earlyVfio: undoIntent!.earlyVfio });
        expect(runAll(after, undo.commands).sort()).toEqual([...before].sort());
        expect(runAll(after, plan.undoCommands).sort()).toEqual([...before].sort());
      });
    }
  }
});
