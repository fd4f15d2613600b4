/**
 * The executor: the one place a change reaches the host. It takes an intent (what the user
 * asked), never steps: it plans the intent again with its kind's planner (change-registry.ts) on the
 * host as it is now, adds the host guard's checks, and applies only when its own plan has the
 * fingerprint of the plan the user was shown and passes every check (or the user typed the
 * confirmation a forceable refusal asks for). The same code runs in-process as root and inside
 * the pkexec helper, whose caller is then the user pkexec names — so a request edited by hand,
 * a stale plan or a forged journal entry can never do what the planners refuse.
 */
import type { LiveCheckResult } from '#shared/confirm-window';
import { PassthruError } from '#shared/errors';
import type { ApplyProgress, ApplyResult, ChangeIntent, ChangeRequest, OpCall, Plan } from '#shared/plan';
import { ApplyEngine, type ApplyEngineOptions } from '../apply/apply-engine';
import { pendingChangesOf, runRevertTimer, type RevertTimerOutcome } from '../apply/pending-changes';
import { JournalStore } from '../apply/journal-store';
import type { CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { RootFs } from '../fs/root-fs';
import { kernelFor, type KernelAccess } from '../ops/op-context';
import { gatherHostFacts, type HostFacts } from '../plans/host-facts';
import { scanHost } from '../scan';
import type { Caller, PlanningContext } from './change-kind';
import { BUILT_IN_CHANGES, type ChangeRegistry } from './change-registry';
import { guardChecks, withGuard } from './host-guard';
import { planDigest } from './plan-digest';
import { selfRevertTimer, type RevertTimerLauncher } from './revert-timer';

export interface ExecutorOptions {
  /** Host root (`/`, or a test tree); fixed for the executor's life. */
  root: string;
  /** Journal directory. */
  stateDir: string;
  caller: Caller;
  runCommand: CommandRunner;
  /** Test seam: the fake kernel's sysfs writer. */
  writer?: SysfsWriter;
  /**
   * Whether the root has a kernel to act on (default: from the root and the writer). A caller
   * that plans for the helper says 'live': the helper acts on a running host.
   */
  kernel?: KernelAccess;
  now?: () => Date;
  idFactory?: () => string;
  /** The change kinds (and their ops) this executor plans and applies; default: Passthru's own. */
  changes?: ChangeRegistry;
  /**
   * Starts the timer that puts a change under confirm-or-revert back (default: this program
   * started again, when its entry point allows it; see revert-timer.ts). Null: none here.
   */
  revertTimer?: RevertTimerLauncher | null;
  /** Test seam: how long the live checks of confirm-or-revert wait. */
  liveChecks?: ApplyEngineOptions['liveChecks'];
}

let seq = 0;

export class ChangeExecutor {
  readonly journal: JournalStore;
  private readonly now: () => Date;
  private readonly newId: () => string;

  private readonly changes: ChangeRegistry;

  constructor(private readonly options: ExecutorOptions) {
    this.changes = options.changes ?? BUILT_IN_CHANGES;
    this.journal = new JournalStore(options.stateDir, { kinds: this.changes.kindNames, ops: this.changes.ops });
    this.now = options.now ?? (() => new Date());
    this.newId = options.idFactory ?? (() => `${this.now().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++seq}`);
  }

  get root(): string {
    return this.options.root;
  }

  /** The plan for `intent` on the host as it is now, with the guard's checks; changes nothing. */
  async plan(intent: ChangeIntent, planId: string = this.newId()): Promise<Plan> {
    const checked = this.changes.parseIntent(intent);
    const fs = new RootFs(this.options.root);
    let facts: Promise<HostFacts> | null = null;
    const readFacts = (): Promise<HostFacts> => (facts ??= scanHost(fs).then((scan) => gatherHostFacts(fs, scan)));
    const ctx: PlanningContext = {
      root: this.options.root,
      fs,
      journal: this.journal,
      caller: this.options.caller,
      facts: readFacts,
      ids: { planId, now: this.now().toISOString() },
      ops: this.changes.ops,
      undoNeedsFacts: (kind) => this.changes.undoNeedsFacts(kind),
    };
    const planned = await this.changes.plan(ctx, checked);
    const ops = planned.steps.map((s) => s.op);
    const guarded = ops.some(touchesDevices) ? withGuard(planned, guardChecks(ops, await readFacts())) : planned;
    const plan = this.whileOneWaits(guarded, checked);
    return plan.refusal ? plan : this.withEnvironment(plan);
  }

  /**
   * While a change waits for confirmation, no other change is made on its root: its revert (at
   * the deadline) undoes its own steps on the host as it left it, and a change made meanwhile
   * could be undone underneath, or stop the revert. Keeping it and undoing it are what is left.
   */
  private whileOneWaits(plan: Plan, intent: ChangeIntent): Plan {
    const waiting = this.journal.all().find((r) => r.root === this.options.root && r.state === 'applied' && r.confirm?.state === 'pending');
    if (!waiting || plan.noop || intent.kind === 'confirm' || (intent.kind === 'undo' && intent.journalId === waiting.journalId)) return plan;
    const message = `Change ${waiting.journalId} (${waiting.kind}) waits for a confirmation until ${waiting.confirm!.deadline}; until it is kept or put back, Passthru makes no other change.`;
    const remedy = `Keep it (passthru confirm) or put it back (passthru undo --journal ${waiting.journalId}) first.`;
    return {
      ...plan,
      checks: [...plan.checks, { id: 'nothing-waiting', title: 'No change waits for a confirmation', status: 'fail', detail: message, remedy, forceable: false }],
      refusal: { message, remedy, forceable: false, confirmText: null },
    };
  }

  /**
   * What the ops themselves would refuse for lack of something (a kernel, on a tree of files),
   * said in the plan rather than after Apply: their own validation, run now.
   */
  private withEnvironment(plan: Plan): Plan {
    try {
      this.engine().validate(plan);
      return plan;
    } catch (err) {
      if (!(err instanceof PassthruError) || err.code !== 'ENVIRONMENT') return plan;
      return {
        ...plan,
        noop: false,
        checks: [...plan.checks, { id: 'environment', title: 'What the steps need is here', status: 'fail', detail: err.message, remedy: err.remedy, forceable: false }],
        refusal: { message: err.message, remedy: err.remedy, forceable: false, confirmText: null, code: 'ENVIRONMENT' },
      };
    }
  }

  /**
   * Plans `request.intent` again and applies that plan — only when it is the plan the user saw
   * (same digest) and nothing refuses it. Step failures come back in the result (rolled back).
   */
  async apply(request: ChangeRequest, onProgress?: (p: ApplyProgress) => void, onCheck?: (r: LiveCheckResult) => void): Promise<ApplyResult> {
    const { intent, digest, confirmText } = this.changes.parseChangeRequest(request);
    const plan = await this.plan(intent);
    if (planDigest(plan) !== digest) {
      throw new PassthruError(
        'REFUSED',
        'The plan Passthru makes now is not the one that was shown (the host changed since, or the request was altered); nothing was changed.',
        'Review the new plan and apply it.',
        plan.steps.map((s) => this.changes.ops.describe(s.op)).join('\n') || null,
      );
    }
    if (plan.refusal) {
      const forced = plan.refusal.forceable && plan.refusal.confirmText !== null && confirmText === plan.refusal.confirmText && plan.force;
      if (!forced) throw new PassthruError(plan.refusal.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'REFUSED', plan.refusal.message, plan.refusal.remedy);
    }
    return this.engine().apply(plan, { onProgress, onCheck, reverses: intent.kind === 'undo' ? intent.journalId : null });
  }

  /** The revert timer's life for one change (run by the detached timer process). */
  async runRevertTimer(journalId: string): Promise<RevertTimerOutcome> {
    return runRevertTimer({ engine: this.engine(), journalId, now: this.now });
  }

  private engine(): ApplyEngine {
    const launcher = this.options.revertTimer === undefined ? selfRevertTimer() : this.options.revertTimer;
    const { root, stateDir } = this.options;
    return new ApplyEngine({
      store: this.journal,
      context: {
        root: this.options.root,
        fs: new RootFs(this.options.root),
        runCommand: this.options.runCommand,
        writer: this.options.writer,
        kernel: this.options.kernel ?? kernelFor(this.options.root, this.options.writer),
        callerUid: this.options.caller.uid,
        pending: pendingChangesOf(this.journal),
        now: this.now,
      },
      now: this.now,
      idFactory: this.newId,
      revertTimer: launcher ? (journalId) => launcher({ root, stateDir, journalId }) : null,
      liveChecks: this.options.liveChecks,
    });
  }
}

/** Ops the host guard looks at: those that move a device between drivers or change its VFs. */
function touchesDevices(op: OpCall): boolean {
  return op.verb === 'unbind' || op.verb === 'set-driver-override' || op.verb === 'probe' || op.verb === 'set-sriov-numvfs';
}
