/**
 * The Enable-IOMMU planner: from a BootSetup (detect.ts) to exactly what would change — the
 * checks in plain words, every file with its before/after and a unified diff, the commands
 * (argv arrays) that regenerate the boot configuration and the initramfs, the backups, and
 * how to verify afterwards. Pure: it reads nothing and writes nothing.
 */
import { createTwoFilesPatch } from 'diff';
import type { PlanCheck } from '#shared/plan';
import { fail, pass, warn, type CheckResult } from '../plans/plan-checks';
import { applyArgEdits, argKey, argSatisfied, planArgEdits, splitArgs, unsafeArgReason, type ArgChange, type ArgEdit } from './cmdline';
import { grubSources, type BootMethod, type BootSetup } from './detect';
import { planEarlyVfio } from './early-vfio';
import { editGrubDefaults, grubDropInContent, grubEffectiveArgs, parseGrubDropIn } from './grub-config';
import * as P from './paths';
import { formatArgv } from '#shared/shell-quote';

export interface FileChange {
  path: string;
  /** null: the file does not exist yet. */
  before: string | null;
  /** null: the file is deleted. */
  after: string | null;
  unifiedDiff: string;
}

/** A check to run after the commands: each file under `paths` that matches carries (or lacks) the arguments. */
export interface Verification {
  what: string;
  paths: string[];
  contains: string[];
  lacks: string[];
}

export interface IommuPlan {
  action: 'enable' | 'disable';
  checks: PlanCheck[];
  refusal: { message: string; remedy: string | null } | null;
  /** Nothing to change: the configuration already says what was asked. */
  noop: boolean;
  /** The kernel arguments changed, in order. */
  argEdits: ArgEdit[];
  files: FileChange[];
  /** Run in order, after the files are written. */
  commands: string[][];
  /**
   * Run in order after the files are put back, to reverse `commands`: the same regeneration
   * where the state is in files; the opposite edits where the command is the state (grubby,
   * kernelstub).
   */
  undoCommands: string[][];
  /** Files edited in place, and where their original is copied first. */
  backups: { path: string; backup: string }[];
  verify: Verification[];
  /** A reboot is needed for the running kernel to see the result. */
  rebootNeeded: boolean;
  /**
   * A tree (`--root DIR`) that lacks the tools: the files are written, and `commands` are left
   * for the user to run (as `chroot DIR …` where the tools are), with why.
   */
  manual: { reason: string; steps: string[][] } | null;
}

export interface IommuOptions {
  /** Add iommu=pt: host devices skip DMA translation (faster), VM devices stay isolated. */
  pt?: boolean;
  /** Put the VFIO modules in the initramfs (or modules-load.d) so vfio-pci binds before other drivers. */
  earlyVfio?: boolean;
}

/** Arguments Passthru adds, and so removes on disable. */
const OUR_ARGS = ['intel_iommu=on', 'amd_iommu=on', 'iommu=pt'];

export function planIommuEnable(setup: BootSetup, options: IommuOptions = {}): IommuPlan {
  const results: CheckResult[] = [bootCheck(setup)];
  const ensure: string[] = [];
  if (setup.cpu.value === 'intel') {
    ensure.push('intel_iommu=on');
    results.push(pass('cpu', 'CPU vendor', `${setup.cpu.evidence} Intel kernels need intel_iommu=on to turn VT-d on.`));
  } else if (setup.cpu.value === 'amd') {
    results.push(pass('cpu', 'CPU vendor', `${setup.cpu.evidence} AMD kernels turn AMD-Vi on by themselves once the firmware exposes it: no argument is needed for that.`));
  } else {
    results.push(
      fail(
        'cpu',
        'CPU vendor',
        `${setup.cpu.evidence} Neither Intel nor AMD, so Passthru does not know which argument turns the IOMMU on.`,
        'Configure the IOMMU by hand for this platform.',
      ),
    );
  }
  if (options.pt) ensure.push('iommu=pt');
  const keys = new Set(ensure.map((a) => a.split('=')[0]));
  const change: ArgChange = { ensure, drop: ['intel_iommu=off', 'amd_iommu=off', 'iommu=off'].filter((a) => !keys.has(a.split('=')[0])) };
  for (const arg of ensure) {
    const why = unsafeArgReason(arg);
    if (why) results.push(fail('arguments', 'Safe arguments', `Refusing ${why}.`, null));
  }
  return assemble('enable', setup, results, change, options.earlyVfio === true);
}

/**
 * What a disable takes out. Without `only`: every argument Passthru adds, wherever it is, and
 * the early VFIO modules when present. With `only` (the undo of one enable): just the arguments
 * that enable added, and the early modules only when it wrote them — so an undo gives back the
 * files as they were, keeping what was there before.
 */
export interface DisableOptions {
  only?: string[];
  /** With `only`: what the enable being undone took out, put back (in place of what replaced it). */
  restore?: string[];
  earlyVfio?: boolean;
}

/** What enabling takes out of the command line, and so an undo may put back. */
const TAKEN_BY_ENABLE = ['intel_iommu=off', 'amd_iommu=off', 'iommu=off'];

export function isRestorableArg(arg: string): boolean {
  return TAKEN_BY_ENABLE.includes(arg);
}

export function planIommuDisable(setup: BootSetup, options: DisableOptions = {}): IommuPlan {
  const results: CheckResult[] = [bootCheck(setup)];
  const restore = options.only ? (options.restore ?? []).filter(isRestorableArg) : [];
  // An argument that replaced one being restored is replaced back in its place, not removed.
  const drop = (options.only ? OUR_ARGS.filter((a) => options.only?.includes(a)) : OUR_ARGS).filter((a) => !restore.some((r) => argKey(r) === argKey(a)));
  const restored = restore.length ? `, and ${restore.join(', ')} goes back where it was` : '';
  results.push(
    options.only
      ? pass(
          'arguments',
          'Arguments removed',
          `${(options.only ?? []).join(', ') || 'No argument'}: what the change being undone added${restored}; anything that was there before it stays.`,
        )
      : warn('arguments', 'Arguments removed', `${OUR_ARGS.join(', ')} are removed from the boot configuration wherever they are, whoever added them.`, null),
  );
  const vfio = planEarlyVfio(setup, false);
  const vfioPresent = (setup.files[vfio.path] ?? null) !== null;
  return assemble('disable', setup, results, { ensure: restore, drop }, options.only ? options.earlyVfio === true && vfioPresent : vfioPresent);
}

/** Arguments Passthru may be asked to remove (IommuIntent.only). */
export function isManagedArg(arg: string): boolean {
  return OUR_ARGS.includes(arg);
}

function bootCheck(setup: BootSetup): CheckResult {
  const b = setup.boot;
  return b.ok
    ? pass('bootloader', 'Bootloader', `${b.method.label}. ${b.evidence.join(' ')}`)
    : fail(
        'bootloader',
        'Bootloader',
        `${b.reason} ${b.evidence.join(' ')}`.trim(),
        'Passthru changes nothing here; add the arguments by hand through the bootloader this machine really uses.',
      );
}

/** Boot-configuration changes for one method, or why it cannot be changed. */
interface BootChange {
  files: { path: string; after: string | null }[];
  commands: string[][];
  undoCommands: string[][];
  edits: ArgEdit[];
  verify: Verification | null;
  problem: string | null;
}

function assemble(action: IommuPlan['action'], setup: BootSetup, results: CheckResult[], change: ArgChange, earlyVfio: boolean): IommuPlan {
  const empty: IommuPlan = {
    action,
    checks: [],
    refusal: null,
    noop: true,
    argEdits: [],
    files: [],
    commands: [],
    undoCommands: [],
    backups: [],
    verify: [],
    rebootNeeded: false,
    manual: null,
  };
  const boot = setup.boot.ok ? bootChange(setup, setup.boot.method, change, action) : null;
  if (boot?.problem)
    results.push(fail('edit', 'Configuration can be edited safely', boot.problem, 'Edit it by hand, or make the value a plain quoted list of arguments and try again.'));
  const refused = results.filter((r) => r.check.status === 'fail');
  if (refused.length > 0 || boot === null) {
    const lead = refused[0]?.check;
    return { ...empty, checks: results.map((r) => r.check), refusal: { message: refused.map((r) => r.check.detail).join(' '), remedy: lead?.remedy ?? null } };
  }
  const files = [...boot.files];
  const commands = [...boot.commands];
  const undoCommands = [...boot.undoCommands];
  if (earlyVfio) {
    const v = planEarlyVfio(setup, action === 'enable');
    if ((setup.files[v.path] ?? null) !== v.after) {
      files.push({ path: v.path, after: v.after });
      // The initramfs is rebuilt from the file either way: after writing it, and after restoring it.
      if (v.rebuild) commands.push(v.rebuild);
      if (v.rebuild) undoCommands.push(v.rebuild);
    }
    results.push(
      pass(
        'early-vfio',
        'VFIO modules early',
        `${setup.initramfs.evidence} ${v.rebuild ? `Through ${v.system}: ${v.path}, then ${formatArgv(v.rebuild)}.` : `No initramfs system known: ${v.path} makes systemd load them at boot (after the initramfs).`}`,
      ),
    );
  }
  const changes = files.map((f) => fileChange(f.path, setup.files[f.path] ?? null, f.after)).filter((f) => f.before !== f.after);
  const noop = changes.length === 0 && boot.edits.length === 0;
  results.push(stateCheck(setup, action, noop));
  const manual = noop ? null : manualSteps(setup, commands);
  if (manual) results.push(warn('commands', 'Commands left to you', manual.reason, `Then run: ${manual.steps.map((c) => formatArgv(c)).join(' && ')}.`));
  return {
    action,
    checks: results.map((r) => r.check),
    refusal: null,
    noop,
    argEdits: boot.edits,
    files: changes,
    commands: noop ? [] : commands,
    undoCommands: noop ? [] : undoCommands,
    backups: changes.filter((f) => f.before !== null && f.after !== null && !isOurs(f.path)).map((f) => ({ path: f.path, backup: P.backupPathFor(f.path) })),
    verify: noop || boot.verify === null ? [] : [boot.verify],
    rebootNeeded: !noop || !runningMatches(setup, action),
    manual,
  };
}

/** In a tree that lacks a command's tool (or a shell), `chroot DIR` cannot run it: the user must. */
function manualSteps(setup: BootSetup, commands: string[][]): IommuPlan['manual'] {
  const tree = setup.tree;
  if (tree === null || commands.length === 0) return null;
  const missing = [...new Set(['sh', ...commands.map((c) => c[0] ?? '')])].filter((t) => !tree.tools.includes(t));
  if (missing.length === 0) return null;
  return {
    reason: `${tree.root} has no ${missing.join(', ')} in its PATH, so \`${formatArgv(['chroot', tree.root])}\` cannot run the commands: run them yourself where the system's tools are (in the system itself, or a chroot into it).`,
    steps: commands.map((c) => [...c]),
  };
}

/** Files named by Passthru: created and deleted whole, never backed up. */
function isOurs(path: string): boolean {
  return path.includes('passthru');
}

function runningMatches(setup: BootSetup, action: IommuPlan['action']): boolean {
  const running = setup.cmdline.value ?? [];
  const wanted = setup.cpu.value === 'intel' ? ['intel_iommu=on'] : [];
  return action === 'enable' ? wanted.every((a) => argSatisfied(running, a)) : !OUR_ARGS.some((a) => running.includes(a));
}

function stateCheck(setup: BootSetup, action: IommuPlan['action'], noop: boolean): CheckResult {
  const running = runningMatches(setup, action);
  const title = 'Current state';
  if (!noop) return pass('state', title, `The boot configuration will be changed; ${setup.cmdline.evidence}`);
  return running
    ? pass('state', title, `Nothing to do: the boot configuration and the running kernel already say so. ${setup.cmdline.evidence}`)
    : warn('state', title, `Nothing to change in the boot configuration, but the running kernel does not reflect it yet. ${setup.cmdline.evidence}`, 'Reboot.');
}

function bootChange(setup: BootSetup, method: BootMethod, change: ArgChange, action: IommuPlan['action']): BootChange {
  switch (method.kind) {
    case 'grub':
      return grubChange(setup, method, change, action);
    case 'kernel-cmdline':
      return kernelCmdlineChange(setup, method, change);
    case 'grubby':
    case 'kernelstub':
      return commandChange(setup, method, change);
  }
}

function grubChange(setup: BootSetup, method: Extract<BootMethod, { kind: 'grub' }>, change: ArgChange, action: IommuPlan['action']): BootChange {
  const none: BootChange = { files: [], commands: [], undoCommands: [], edits: [], verify: null, problem: null };
  const effective = grubEffectiveArgs(grubSources(setup, method.readsDropIns));
  if ('unknown' in effective) return { ...none, problem: effective.unknown };
  const dropInText = setup.files[P.GRUB_DROPIN] ?? null;
  const dropInArgs = dropInText === null ? [] : parseGrubDropIn(dropInText);
  if (dropInArgs === null) return { ...none, problem: `${P.GRUB_DROPIN} was changed since Passthru wrote it; remove or fix it by hand.` };
  const files: BootChange['files'] = [];
  let edits = planArgEdits(effective.args, change);
  let inPlace = edits;
  let defaults = setup.files[P.GRUB_DEFAULTS] ?? '';
  if (action === 'disable' && dropInText !== null) {
    // Our drop-in loses the arguments asked for (and goes when none is left); the other files
    // are then edited for whatever they carry themselves.
    const kept = dropInArgs.filter((a) => !change.drop.includes(a));
    const keptText = kept.length > 0 ? grubDropInContent(kept) : null;
    files.push({ path: P.GRUB_DROPIN, after: keptText });
    const withoutDropIn = grubEffectiveArgs(grubSources({ ...setup, files: { ...setup.files, [P.GRUB_DROPIN]: keptText } }, method.readsDropIns));
    inPlace = 'args' in withoutDropIn ? planArgEdits(withoutDropIn.args, change) : [];
    edits = [...dropInArgs.filter((a) => change.drop.includes(a)).map((arg): ArgEdit => ({ kind: 'remove', arg })), ...inPlace];
  }
  // Additions alone go to our drop-in where update-grub reads one: removing it undoes them.
  if (action === 'enable' && method.readsDropIns && inPlace.length > 0 && inPlace.every((e) => e.kind === 'add')) {
    files.push({ path: P.GRUB_DROPIN, after: grubDropInContent([...dropInArgs, ...inPlace.map((e) => (e as { arg: string }).arg)]) });
  } else if (inPlace.length > 0) {
    const backup = setup.files[P.backupPathFor(P.GRUB_DEFAULTS)] ?? null;
    const edited = action === 'disable' && backup !== null && restoresBackup(backup, defaults) ? { text: backup } : editGrubDefaults(defaults, inPlace);
    if ('problem' in edited) return { ...none, problem: edited.problem };
    defaults = edited.text;
    files.push({ path: P.GRUB_DEFAULTS, after: defaults });
  }
  const added = edits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : []));
  return {
    files,
    commands: [method.regenerate],
    undoCommands: [method.regenerate],
    edits,
    problem: null,
    verify: verification(`the linux lines of ${method.grubCfg}`, [method.grubCfg], added, edits),
  };
}

/** Whether `current` is exactly what enabling (with or without iommu=pt) made of `backup`. */
function restoresBackup(backup: string, current: string): boolean {
  const effective = grubEffectiveArgs([{ path: P.GRUB_DEFAULTS, text: backup }]);
  if ('unknown' in effective) return false;
  return [['intel_iommu=on'], ['intel_iommu=on', 'iommu=pt'], ['iommu=pt'], []].some((ensure) => {
    const r = editGrubDefaults(
      backup,
      planArgEdits(effective.args, { ensure, drop: ['amd_iommu=off', 'iommu=off', 'intel_iommu=off'].filter((d) => !ensure.some((e) => e.split('=')[0] === d.split('=')[0])) }),
    );
    return 'text' in r && r.text === current && r.text !== backup;
  });
}

function kernelCmdlineChange(setup: BootSetup, method: Extract<BootMethod, { kind: 'kernel-cmdline' }>, change: ArgChange): BootChange {
  const before = setup.files[P.KERNEL_CMDLINE] ?? null;
  // kernel-install falls back to /proc/cmdline without BOOT_IMAGE= and initrd=; so does the new file.
  const base =
    before ??
    `${(setup.files['/proc/cmdline'] ?? '')
      .trim()
      .split(/\s+/)
      .filter((a) => a !== '' && !/^(BOOT_IMAGE|initrd)=/.test(a))
      .join(' ')}\n`;
  const edits = planArgEdits(splitArgs(base), change);
  const after = edits.length === 0 ? before : applyArgEdits(base, edits);
  const added = edits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : []));
  return {
    files: after === before ? [] : [{ path: P.KERNEL_CMDLINE, after }],
    commands: method.regenerate,
    undoCommands: method.regenerate,
    edits,
    problem: method.regenerate.length === 0 ? `No kernel with a vmlinuz under /usr/lib/modules, so kernel-install has nothing to rewrite.` : null,
    verify: verification(`the options lines in ${method.entriesDir}`, [method.entriesDir], added, edits),
  };
}

/** grubby and kernelstub keep their own state: the change is commands only, and so is its undo. */
function commandChange(setup: BootSetup, method: Extract<BootMethod, { kind: 'grubby' | 'kernelstub' }>, change: ArgChange): BootChange {
  const configured = method.kind === 'grubby' ? blsArgs(setup, method.entriesDir) : kernelstubArgs(setup);
  if (configured === null) {
    return {
      files: [],
      commands: [],
      undoCommands: [],
      edits: [],
      verify: null,
      problem:
        method.kind === 'grubby'
          ? `The boot entries in ${method.entriesDir} could not be read, or use $kernelopts (set in grubenv), which Passthru does not edit.`
          : `${P.KERNELSTUB_CONFIG} could not be read as kernelstub's JSON.`,
    };
  }
  const edits = planArgEdits(configured, change);
  const added = edits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : []));
  return {
    files: [],
    commands: argCommands(method.kind, edits),
    // The reverse of what is done, derived from the same edits: what was added is removed and
    // what was removed (or replaced) is put back.
    undoCommands: argCommands(method.kind, edits.map(inverseEdit)),
    edits,
    problem: null,
    verify: verification(`the options lines in ${method.entriesDir}`, [method.entriesDir], added, edits),
  };
}

/** The grubby or kernelstub commands that make `edits`: removals first, then additions. */
function argCommands(kind: 'grubby' | 'kernelstub', edits: ArgEdit[]): string[][] {
  const removed = edits.flatMap((e) => (e.kind === 'remove' ? [e.arg] : e.kind === 'replace' ? [e.from] : []));
  const added = edits.flatMap((e) => (e.kind === 'add' ? [e.arg] : e.kind === 'replace' ? [e.to] : []));
  return kind === 'grubby'
    ? [
        ...(removed.length ? [['grubby', '--update-kernel=ALL', `--remove-args=${removed.join(' ')}`]] : []),
        ...(added.length ? [['grubby', '--update-kernel=ALL', `--args=${added.join(' ')}`]] : []),
      ]
    : [...removed.map((a) => ['kernelstub', '--delete-options', a]), ...added.map((a) => ['kernelstub', '--add-options', a])];
}

function inverseEdit(e: ArgEdit): ArgEdit {
  if (e.kind === 'add') return { kind: 'remove', arg: e.arg };
  if (e.kind === 'remove') return { kind: 'add', arg: e.arg };
  return { ...e, from: e.to, to: e.from };
}

/** Arguments present in every BLS entry (null when an entry defers to $kernelopts). */
function blsArgs(setup: BootSetup, dir: string): string[] | null {
  const entries = Object.entries(setup.files)
    .filter(([p, t]) => p.startsWith(`${dir}/`) && t !== null)
    .map(([, t]) => t as string);
  const options = entries.map((t) => /^options\s+(.*)$/m.exec(t)?.[1] ?? '');
  if (entries.length === 0 || options.some((o) => o.includes('$'))) return null;
  const lists = options.map(splitArgs);
  return (lists[0] ?? []).filter((a) => lists.every((l) => l.includes(a)));
}

function kernelstubArgs(setup: BootSetup): string[] | null {
  try {
    const config = JSON.parse(setup.files[P.KERNELSTUB_CONFIG] ?? '') as { user?: { kernel_options?: unknown } };
    const options = config.user?.kernel_options;
    return Array.isArray(options) && options.every((o) => typeof o === 'string') ? (options as string[]) : null;
  } catch {
    return null;
  }
}

function verification(what: string, paths: string[], contains: string[], edits: ArgEdit[]): Verification {
  const lacks = edits.flatMap((e) => (e.kind === 'remove' ? [e.arg] : e.kind === 'replace' ? [e.from] : []));
  return { what: `${what} carry ${contains.length ? contains.join(' ') : 'the change'}${lacks.length ? ` and no longer ${lacks.join(' ')}` : ''}`, paths, contains, lacks };
}

function fileChange(path: string, before: string | null, after: string | null): FileChange {
  const unifiedDiff = createTwoFilesPatch(before === null ? '/dev/null' : `a${path}`, after === null ? '/dev/null' : `b${path}`, before ?? '', after ?? '', undefined, undefined, {
    context: 3,
  });
  return { path, before, after, unifiedDiff };
}
