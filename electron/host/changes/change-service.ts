/**
 * ChangeService: plan, apply, undo and history for the IPC handlers and the CLI — the caller's
 * side of a change. Plans are made with the executor's own planners (change-executor.ts) and
 * kept by id with the intent they came from and their fingerprint, so only plans this service
 * made are ever applied. Applying sends the intent and the fingerprint — never the steps — to
 * the executor: in-process when root (or on a test tree), through the pkexec helper otherwise.
 * Either way the executor plans again and refuses anything but the plan the user saw.
 */
import type { ChangeRoute } from '#shared/app-status';
import { PassthruError } from '#shared/errors';
import type { ApplyProgress, ApplyResult, ChangeIntent, ChangeRequest, HistoryEntry, JournalHistory, Plan } from '#shared/plan';
import { defaultStateDir, SYSTEM_JOURNAL_DIR, type JournalStore } from '../apply/journal-store';
import { runCommand as defaultRunCommand, type CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { ChangeExecutor, type ExecutorOptions } from './change-executor';
import { BUILT_IN_CHANGES, type ChangeRegistry } from './change-registry';
import type { ApplyCallOptions, ChangeRequestInput, ChangeServiceApi } from './change-service.types';
import { helperNotInstalledError, isHelperInstalled, runViaHelper } from './elevated-apply';
import { planDigest } from './plan-digest';

export interface ChangeServiceOptions {
  /** Host root (default `/`); a fake tree in tests. */
  root?: string;
  /** Journal directory (default: the system journal for `/`, else defaultStateDir()). */
  stateDir?: string;
  /** Desktop user to receive /dev/vfio/<group> (null/undefined: leave it to root). */
  ownerUid?: number;
  /** The host address the asker's connection came to (SSH_CONNECTION's), for network changes; see Requester. */
  sessionAddress?: string | null;
  now?: () => Date;
  idFactory?: () => string;
  /** Test seams: the command runner and the sysfs writer (the fake kernel). */
  runCommand?: CommandRunner;
  writer?: SysfsWriter;
  /** Force in-process (true) or helper (false) execution; default: in-process when root or root !== '/'. */
  inProcess?: boolean;
  /** The command that runs the helper as root (default `pkexec /usr/lib/passthru/passthru-helper`). */
  helperArgv?: readonly string[];
  /**
   * Whether the installed helper exists (default: checks HELPER_PATH). Asked only for the
   * default helperArgv: without the helper (the AppImage) pkexec is not tried at all.
   */
  helperInstalled?: () => boolean;
  /** The change kinds this service plans (default: Passthru's own); the helper always has the built-in ones. */
  changes?: ChangeRegistry;
  /** In-process only: the revert timer of confirm-or-revert (default: this program, when its entry allows). */
  revertTimer?: ExecutorOptions['revertTimer'];
  /** Test seam: how long the live checks of confirm-or-revert wait. */
  liveChecks?: ExecutorOptions['liveChecks'];
}

interface Made {
  plan: Plan;
  request: Omit<ChangeRequest, 'confirmText'>;
}

/**
 * Whether changes of `root` are applied by this process: as root, or on a tree of files; on
 * the live host otherwise, the pkexec helper applies them.
 */
export function appliesInProcess(root: string): boolean {
  return process.getuid?.() === 0 || root !== '/';
}

const helperStartsTheTimer = (): never => {
  throw new PassthruError('INTERNAL', 'The helper starts the revert timer of the changes it applies.', null);
};

export class ChangeService implements ChangeServiceApi {
  readonly root: string;
  private readonly plans = new Map<string, Made>();
  private readonly executor: ChangeExecutor;
  private readonly changes: ChangeRegistry;

  constructor(private readonly options: ChangeServiceOptions = {}) {
    this.root = options.root ?? '/';
    this.changes = options.changes ?? BUILT_IN_CHANGES;
    const uid = process.getuid?.() ?? null;
    this.executor = new ChangeExecutor({
      root: this.root,
      stateDir: options.stateDir ?? (this.root === '/' ? SYSTEM_JOURNAL_DIR : defaultStateDir()),
      // Planning here must match what the executor plans: in-process it is us; through the
      // helper it is root acting for this user (PKEXEC_UID), whom the plan is made for.
      caller: { uid: uid === 0 ? null : uid },
      runCommand: options.runCommand ?? defaultRunCommand,
      writer: options.writer,
      // Through the helper, the change is made on a running host, whatever this side can see.
      ...(this.inProcess() ? {} : { kernel: 'live' as const }),
      now: options.now,
      idFactory: options.idFactory,
      // Through the helper, the helper starts the timer (its own entry point names it); this side
      // only plans, and must not refuse a change for lack of a timer it will never start.
      revertTimer: this.inProcess() ? options.revertTimer : helperStartsTheTimer,
      liveChecks: options.liveChecks,
      changes: this.changes,
    });
  }

  get store(): JournalStore {
    return this.executor.journal;
  }

  /**
   * Plans a change a caller asks for (`{ kind, ...its options }`, checked by its kind's request
   * schema), filling in what only this service knows (who receives /dev/vfio access). Changes nothing.
   */
  planChange(request: ChangeRequestInput, asker: { sessionAddress?: string | null } = {}): Promise<Plan> {
    const sessionAddress = asker.sessionAddress !== undefined ? asker.sessionAddress : (this.options.sessionAddress ?? null);
    return this.plan(this.changes.intentFromRequest(request, { ownerUid: this.options.ownerUid ?? null, sessionAddress }));
  }

  /** The plan as the CLI prints it (its kind's own printout, or the generic one). */
  planText(plan: Plan): string {
    return this.changes.planText(plan);
  }

  private async plan(intent: ChangeIntent): Promise<Plan> {
    const plan = await this.executor.plan(intent);
    this.plans.set(plan.id, { plan, request: { intent, digest: planDigest(plan) } });
    return plan;
  }

  /**
   * Plans reversing a journaled change: the newest applied one on this root by default. An
   * interrupted change (a crash mid-apply) is rolled back the same way, by naming it.
   */
  async planUndo(journalId?: string): Promise<Plan> {
    // A confirmation is not a change of the host: "undo" means the change it kept.
    const id = journalId ?? this.store.all().find((r) => r.state === 'applied' && r.root === this.root && r.kind !== 'confirm')?.journalId;
    if (id === undefined) throw new PassthruError('BAD_INPUT', 'There is no applied change to undo.', 'The history lists what was applied and can be undone.');
    return this.planChange({ kind: 'undo', journalId: id });
  }

  async apply(planId: string, options: ApplyCallOptions = {}): Promise<ApplyResult> {
    const made = this.plans.get(planId);
    if (!made) throw new PassthruError('BAD_INPUT', 'That plan was not made by Passthru in this session.', 'Plan the change again.');
    const { plan } = made;
    if (plan.refusal) {
      const ok = plan.refusal.forceable && plan.force && plan.refusal.confirmText !== null && options.confirmText === plan.refusal.confirmText;
      if (!ok) throw new PassthruError(plan.refusal.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'REFUSED', plan.refusal.message, plan.refusal.remedy);
    }
    const needsHost = !(plan.noop || plan.steps.length === 0);
    // A plan that needs the helper cannot be applied without it (kept, so it can be applied
    // once the helper is installed).
    if (needsHost && !this.inProcess()) this.assertHelperInstalled();
    this.plans.delete(planId);
    const request: ChangeRequest = { ...made.request, confirmText: options.confirmText ?? null };
    // Progress and the result carry the plan id the caller knows (the executor names its own plan).
    const onProgress = options.onProgress ? (p: ApplyProgress) => options.onProgress?.({ ...p, planId }) : undefined;
    const result =
      needsHost && !this.inProcess()
        ? await runViaHelper(this.options.runCommand ?? defaultRunCommand, request, { onProgress, onCheck: options.onCheck, helperArgv: this.options.helperArgv })
        : await this.executor.apply(request, onProgress, options.onCheck);
    return { ...result, planId };
  }

  async history(): Promise<JournalHistory> {
    return this.store.history();
  }

  /** The newest change on this root waiting for confirmation, or null. */
  newestPending(): HistoryEntry | null {
    const r = this.store.all().find((x) => x.root === this.root && x.state === 'applied' && x.confirm?.state === 'pending');
    return r ? this.store.toHistory(r) : null;
  }

  /** One journal entry as the history shows it (to follow a change waiting for confirmation), or null. */
  entry(journalId: string): HistoryEntry | null {
    const r = this.store.load(journalId);
    return r ? this.store.toHistory(r) : null;
  }

  /** Changes left half-done by a crash on this root, newest first: offer to roll them back. */
  incomplete(): HistoryEntry[] {
    return this.store
      .incomplete()
      .filter((r) => r.root === this.root)
      .map((r) => this.store.toHistory(r));
  }

  /**
   * By which road apply reaches the host: made here (as root, or on a tree of files, which
   * only the CLI's --root and tests use), or through the helper if it is there to run.
   */
  route(): ChangeRoute {
    if (this.inProcess()) return 'as-root';
    return this.options.helperArgv !== undefined || (this.options.helperInstalled ?? isHelperInstalled)() ? 'helper' : 'no-helper';
  }

  private inProcess(): boolean {
    return this.options.inProcess ?? appliesInProcess(this.root);
  }

  /** Only the default pkexec command needs the installed helper; a given helperArgv names its own. */
  private assertHelperInstalled(): void {
    if (this.options.helperArgv !== undefined) return;
    if (!(this.options.helperInstalled ?? isHelperInstalled)()) throw helperNotInstalledError();
  }
}
