/**
 * The plan that reverses a journaled change: the undo of an applied one, or the rollback of
 * one a crash (or a failed rollback) left half-done. Its steps are the journaled undo ops of
 * the steps that were attempted, newest first — and every word and shell line of the plan is
 * made from those ops here, never taken from the journal, so the preview shows exactly what
 * will run. A change made under another root (a test tree, a snapshot) is never reversed here.
 */
import { PassthruError } from '#shared/errors';
import type { OpCall, Plan, PlanCheck, PlanStep } from '#shared/plan';
import type { JournalRecord } from '../apply/journal-store';
import { iommuShell } from '../iommu/to-plan';
import { replanBootConfig } from '../ops/apply-boot-config';
import type { OpRegistry } from '../ops';
import { expectedAfter } from '../plans/assign-planner';
import type { HostFacts } from '../plans/host-facts';
import { persistenceFiles, sriovPersistenceFile } from '../formats/persistence-files';
import type { PlanningContext } from './change-kind';

/** Steps whose undo runs: done ones for an applied change; every attempted one for an interrupted change. */
function reversible(record: JournalRecord): JournalRecord['steps'] {
  if (record.state === 'applied') return record.steps.filter((s) => s.state === 'done');
  return record.steps.filter((s) => s.state !== 'pending' && s.state !== 'undone');
}

/** A step's words and shell lines, made from its op (boot-config ops are planned to show their files). */
function stepFor(id: string, op: OpCall, redo: OpCall | null, ctx: PlanningContext, verify: string): PlanStep {
  const ops: OpRegistry = ctx.ops;
  const fs = ctx.fs;
  const base: PlanStep = {
    id,
    title: ops.describe(op),
    op,
    shell: ops.shellOf(op),
    verify,
    // Undoing the undo plans the boot configuration afresh (a digest pins what was shown then).
    undo: redo?.verb === 'apply-boot-config' ? { ...redo, digest: null } : redo,
    undoShell: redo ? ops.shellOf(redo) : [],
  };
  if (op.verb === 'write-persistence') return { ...base, files: persistenceFiles(op.address) };
  if (op.verb === 'write-sriov-persistence') return { ...base, files: [sriovPersistenceFile(op.address, op.numVfs, op.autoprobe)] };
  if (op.verb === 'apply-boot-config') {
    // What the boot configuration op will write on this host now: its diffs and the real commands.
    const plan = replanBootConfig({ ...op, digest: null }, { root: fs.root, fs, runCommand: async () => Promise.reject(new Error('planning only')), originalDrivers: [] });
    return {
      ...base,
      shell: iommuShell(plan),
      files: plan.files.flatMap((f) => (f.after === null ? [] : [{ path: f.path, content: f.after }])),
      diffs: plan.files.map((f) => ({ path: f.path, unifiedDiff: f.unifiedDiff })),
      backups: plan.backups,
    };
  }
  return base;
}

export function planUndoOf(record: JournalRecord, ctx: PlanningContext, facts: HostFacts | null): Plan {
  const { root, ids } = ctx;
  const checks: PlanCheck[] = [];
  let refusal: Plan['refusal'] = null;
  const refuse = (id: string, title: string, message: string, remedy: string | null): void => {
    checks.push({ id, title, status: 'fail', detail: message, remedy, forceable: false });
    refusal ??= { message, remedy, forceable: false, confirmText: null, code: 'REFUSED' };
  };

  if (record.root === null) {
    refuse(
      'same-root',
      'Made on this host',
      `Change ${record.journalId} was journaled by an older Passthru without saying which host it changed, so it is not undone automatically.`,
      'Undo it by hand with the commands its steps show in the history.',
    );
  } else if (record.root !== root) {
    refuse(
      'same-root',
      'Made on this host',
      `Change ${record.journalId} was made on ${record.root}, not on ${root === '/' ? 'this machine' : root}; it is only undone there.`,
      `Run the undo with --root ${record.root}.`,
    );
  } else {
    checks.push({
      id: 'same-root',
      title: 'Made on this host',
      status: 'pass',
      detail: `Change ${record.journalId} was made on ${root === '/' ? 'this machine' : root}.`,
      remedy: null,
      forceable: false,
    });
  }
  if (record.state === 'undone' || record.state === 'rolled-back') {
    refuse('still-applied', 'Change still in effect', `Change ${record.journalId} is already ${record.state}; there is nothing to undo.`, null);
  } else {
    const what = record.state === 'applied' ? 'applied' : record.state === 'applying' ? 'interrupted while applying' : 'failed, and its rollback failed';
    checks.push({ id: 'still-applied', title: 'Change still in effect', status: 'pass', detail: `Change ${record.journalId} is ${what}.`, remedy: null, forceable: false });
  }

  const attempted = reversible(record);
  const noUndo = attempted.filter((s) => s.undo === null);
  if (noUndo.length) {
    checks.push({
      id: 'no-undo',
      title: 'Every step has an exact reverse',
      status: 'warn',
      detail: `${noUndo.map((s) => ctx.ops.describe(s.op)).join('; ')}: nothing to reverse (the kernel chose the driver, or the step removed something that is made again when needed).`,
      remedy: null,
      forceable: false,
    });
  }
  const steps = refusal
    ? []
    : [...attempted].reverse().flatMap((s) => (s.undo === null ? [] : [stepFor(`undo-${s.id}`, s.undo, s.op, ctx, `Reverses: ${ctx.ops.describe(s.op)}.`)]));
  return {
    id: ids.planId,
    kind: 'undo',
    createdAt: ids.now,
    target: record.target,
    devices: [...record.devices],
    force: false,
    checks,
    refusal,
    noop: refusal === null && steps.length === 0,
    steps,
    original: record.original,
    detail: { kind: 'undo', reverses: record.journalId, expected: facts ? expectedAfter(facts, record.target, record.original) : null },
  };
}

/** The journal entry, or BAD_INPUT saying why there is none to undo. */
export function recordToUndo(load: (id: string) => JournalRecord | null, problem: (id: string) => string | null, journalId: string): JournalRecord {
  const record = load(journalId);
  if (record) return record;
  const why = problem(journalId);
  throw new PassthruError(
    'BAD_INPUT',
    why ? `Journal entry ${journalId} cannot be read: ${why}.` : `There is no journal entry ${journalId}.`,
    'The history lists the changes that can be undone.',
  );
}
