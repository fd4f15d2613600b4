/**
 * The apply engine: journal first, then act, verify, mark done; on any failure undo the done
 * steps in reverse, each undo journaled too (libvirt virhostdev.c style rollback). It runs
 * only plans the executor made itself (changes/change-executor.ts) — in-process when root,
 * inside the pkexec helper otherwise — and re-validates every op against the host anyway.
 */
import type { LiveCheckResult } from '#shared/confirm-window';
import { PassthruError } from '#shared/errors';
import type { ApplyProgress, ApplyResult, OpCall, Plan, StepState } from '#shared/plan';
import type { OpContext, OpRegistry } from '../ops';
import { JournalStore, type JournalRecord, type JournalStep } from './journal-store';
import { runLiveChecks, type LiveCheckOptions } from './live-checks';

export interface ApplyEngineOptions {
  store: JournalStore;
  /** Everything but originalDrivers, which comes from each plan's recorded original state. */
  context: Omit<OpContext, 'originalDrivers'>;
  now?: () => Date;
  idFactory?: () => string;
  /**
   * Starts the root-held timer that puts a change under confirm-or-revert back at its deadline
   * (changes/revert-timer.ts). Null: this engine cannot run such changes, and says so.
   */
  revertTimer?: ((journalId: string) => void) | null;
  /** Test seam: how long and how often the live checks wait. */
  liveChecks?: Omit<LiveCheckOptions, 'onResult'>;
}

export interface ApplyOptions {
  onProgress?: (p: ApplyProgress) => void;
  /** A change under confirm-or-revert: each live check as it settles. */
  onCheck?: (r: LiveCheckResult) => void;
  /**
   * For undo and rollback plans: the journal entry being reversed, marked 'undone' (or
   * 'rolled-back', when it was interrupted) once this plan applies.
   */
  reverses?: string | null;
}

/** What an op context is made from: a plan, or the journal record of one (a revert after the fact). */
type OpsSource = Pick<Plan, 'kind' | 'original'> & { steps: readonly { op: OpCall; undo: OpCall | null }[] };

let counter = 0;

export class ApplyEngine {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly options: ApplyEngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.idFactory ?? (() => `${this.now().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++counter}`);
  }

  get store(): JournalStore {
    return this.options.store;
  }

  /** The ops the journal may hold are the ops this engine runs. */
  private get ops(): OpRegistry {
    return this.options.store.ops;
  }

  private ctxFor(plan: OpsSource): OpContext {
    const drivers = Object.values(plan.original ?? {}).flatMap((s) => [s.driver, s.driverOverride]);
    // Giving a device back (or undoing) restores the driver the assign recorded, which is not
    // the release plan's own "before" state (vfio-pci). Such a driver is accepted only if it is
    // a driver the kernel really has registered.
    if (plan.kind !== 'assign') drivers.push(...restoredDrivers(plan, this.options.context.fs));
    return { ...this.options.context, originalDrivers: drivers.filter((d): d is string => typeof d === 'string') };
  }

  /** Re-checks every op (and every undo) of the plan against the host; throws BAD_INPUT. */
  validate(plan: Plan): void {
    if (!plan || !Array.isArray(plan.steps)) throw new PassthruError('BAD_INPUT', 'The request holds no plan.', null);
    const ctx = this.ctxFor(plan);
    for (const step of plan.steps) {
      this.ops.validate(step.op, ctx);
      if (step.undo) this.ops.validate(step.undo, ctx);
    }
    if (plan.confirm && !this.options.revertTimer) {
      throw new PassthruError(
        'ENVIRONMENT',
        'This change is kept only once confirmed, and this Passthru has no timer to put it back without a confirmation.',
        'Run it with the installed passthru command or through the helper.',
      );
    }
  }

  /** Applies a plan; never throws for step failures — they come back in the ApplyResult. */
  async apply(plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
    this.validate(plan);
    const record: JournalRecord = {
      version: 2,
      journalId: this.newId(),
      root: this.options.context.root,
      kind: plan.kind,
      target: plan.target,
      devices: [...plan.devices],
      original: plan.original,
      state: 'applying',
      startedAt: this.now().toISOString(),
      finishedAt: null,
      steps: plan.steps.map((s) => ({ id: s.id, op: s.op, undo: s.undo, state: 'pending', error: null })),
      reverses: options.reverses ?? null,
    };
    const titles = new Map(plan.steps.map((s) => [s.id, s.title]));
    if (plan.noop || plan.steps.length === 0) return result(plan.id, record, true, null, null, false);
    this.store.save(record);
    const ctx = this.ctxFor(plan);
    const emit = (step: JournalStep, message: string | null): void => options.onProgress?.({ planId: plan.id, stepId: step.id, state: step.state, message });

    for (const step of record.steps) {
      step.state = 'running';
      this.store.save(record); // journal first
      emit(step, titles.get(step.id) ?? step.id);
      let why: string | null;
      let failure: unknown = null;
      try {
        await this.ops.run(step.op, ctx);
        why = await this.ops.verify(step.op, ctx);
      } catch (err) {
        failure = err;
        why = err instanceof Error ? err.message : String(err);
      }
      if (why !== null) {
        step.state = 'failed';
        step.error = why;
        this.store.save(record);
        emit(step, why);
        // An op that put everything back itself (apply-boot-config) is not undone again.
        if ((failure as { selfRestored?: unknown } | null)?.selfRestored === true) {
          step.state = 'undone';
          this.store.save(record);
        }
        const rolledBack = await this.undoSteps(record, ctx, emit, titles);
        record.state = rolledBack ? 'rolled-back' : 'rollback-failed';
        record.finishedAt = this.now().toISOString();
        this.store.save(record);
        const remedy = failure instanceof PassthruError ? failure.remedy : null;
        const detail = failure instanceof PassthruError ? failure.detail : null;
        return result(plan.id, record, false, step.id, { message: why, remedy, detail }, rolledBack);
      }
      step.state = 'done';
      this.store.save(record);
      emit(step, null);
    }
    record.state = 'applied';
    record.finishedAt = this.now().toISOString();
    this.store.save(record);
    if (record.reverses) this.markReversed(record.reverses);
    if (plan.confirm) return this.awaitConfirmation(plan, record, ctx, options);
    return result(plan.id, record, true, null, null, false);
  }

  /**
   * Confirm or revert, once the steps are done: the timer starts first (so a crash from here on
   * still reverts), then the checks run from the host's side; a failed check puts the change back
   * at once, and a passed one leaves it waiting for a confirmation until the deadline.
   */
  private async awaitConfirmation(plan: Plan, record: JournalRecord, ctx: OpContext, options: ApplyOptions): Promise<ApplyResult> {
    const window = plan.confirm!;
    const budgetMs = this.options.liveChecks?.budgetMs ?? 45_000;
    const at = (ms: number): string => new Date(this.now().getTime() + ms).toISOString();
    record.confirm = { state: 'pending', deadline: at(budgetMs + window.seconds * 1000), seconds: window.seconds, reason: null };
    this.store.save(record);
    let checks: LiveCheckResult[];
    try {
      this.options.revertTimer!(record.journalId);
      checks = await runLiveChecks(window.checks, ctx, { ...this.options.liveChecks, onResult: options.onCheck });
    } catch (err) {
      const why = `The timer that puts it back could not be started (${err instanceof Error ? err.message : String(err)}).`;
      checks = [];
      return this.revertNow(plan.id, record, ctx, why, checks);
    }
    const failed = checks.find((c) => !c.ok);
    if (failed) return this.revertNow(plan.id, record, ctx, `A check after the change failed: ${failed.detail}`, checks);
    record.confirm = { ...record.confirm, deadline: at(window.seconds * 1000) };
    this.store.save(record);
    return { ...result(plan.id, record, true, null, null, false), checks, pending: { journalId: record.journalId, deadline: record.confirm.deadline, seconds: window.seconds } };
  }

  private async revertNow(planId: string, record: JournalRecord, ctx: OpContext, reason: string, checks: LiveCheckResult[]): Promise<ApplyResult> {
    const rolledBack = await this.revertRecord(record, ctx, reason);
    const error = { message: `${reason} Everything was put back.`, remedy: null, detail: null };
    return { ...result(planId, record, false, null, rolledBack ? error : { ...error, message: `${reason} Putting it back did not complete.` }, rolledBack), checks };
  }

  /**
   * Puts back a change waiting for confirmation (the revert timer's deadline, or a failed
   * check): only when nothing decided it before — a confirmation that won keeps it. True when
   * this call reverted it completely.
   */
  async revertPending(journalId: string, reason: string): Promise<boolean> {
    const record = this.store.load(journalId);
    if (!record?.confirm || record.confirm.state !== 'pending' || record.state !== 'applied') return false;
    return this.revertRecord(record, this.ctxFor(record), reason);
  }

  private async revertRecord(record: JournalRecord, ctx: OpContext, reason: string): Promise<boolean> {
    if (!this.store.claimDecision(record.journalId, 'revert')) return false;
    record.confirm = { ...record.confirm!, state: 'reverting', reason };
    this.store.save(record);
    const ok = await this.undoSteps(record, ctx, () => undefined, new Map());
    record.state = ok ? 'rolled-back' : 'rollback-failed';
    record.finishedAt = this.now().toISOString();
    record.confirm = { ...record.confirm, state: 'reverted' };
    this.store.save(record);
    return ok;
  }

  /**
   * Undoes, newest first, every step that was attempted (done, failed, or left running by a
   * crash): the ops are idempotent, so undoing a step that never took effect is harmless.
   */
  private async undoSteps(record: JournalRecord, ctx: OpContext, emit: (s: JournalStep, m: string | null) => void, titles: Map<string, string>): Promise<boolean> {
    let ok = true;
    for (const step of [...record.steps].reverse()) {
      if (step.state === 'pending' || step.state === 'undone') continue;
      if (!step.undo) {
        step.state = 'undone';
        continue;
      }
      step.state = 'undoing';
      this.store.save(record);
      emit(step, `Undoing: ${titles.get(step.id) ?? step.id}`);
      const why = await attempt(this.ops, step.undo, ctx);
      if (why === null) step.state = 'undone';
      else {
        ok = false;
        step.state = 'failed';
        step.error = `Undo failed: ${why}`;
      }
      this.store.save(record);
      emit(step, why);
    }
    return ok;
  }

  private markReversed(journalId: string): void {
    const r = this.store.load(journalId);
    if (!r) return;
    if (r.state === 'applied') r.state = 'undone';
    else if (r.state === 'applying' || r.state === 'rollback-failed') r.state = 'rolled-back';
    else return;
    // A change undone while it waited for confirmation is decided: its timer stands down.
    if (r.confirm?.state === 'pending' && this.store.claimDecision(r.journalId, 'revert')) {
      r.confirm = { ...r.confirm, state: 'reverted', reason: 'Undone before it was confirmed.' };
    }
    r.finishedAt ??= this.now().toISOString();
    this.store.save(r);
  }
}

async function attempt(ops: OpRegistry, op: OpCall, ctx: OpContext): Promise<string | null> {
  try {
    await ops.run(op, ctx);
    return await ops.verify(op, ctx);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function result(planId: string, r: JournalRecord, ok: boolean, failedStep: string | null, error: ApplyResult['error'], rolledBack: boolean): ApplyResult {
  return {
    planId,
    journalId: r.journalId,
    ok,
    failedStep,
    error,
    rolledBack,
    steps: r.steps.map((s) => ({ id: s.id, state: s.state as StepState })),
  };
}

/** Drivers that probe steps of a release/undo plan expect, when registered under /sys/bus/pci/drivers. */
function restoredDrivers(plan: OpsSource, fs: OpContext['fs']): string[] {
  const ops = (plan.steps ?? []).flatMap((step) => [step.op, step.undo]);
  return ops
    .map((op) => (op?.verb === 'probe' ? op.expectDriver : null))
    .filter((d): d is string => typeof d === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(d) && d !== '.' && d !== '..')
    .filter((d) => fs.isDirectory(`/sys/bus/pci/drivers/${d}`));
}
