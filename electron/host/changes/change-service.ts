/**
 * ChangeService: plan, apply, undo and history for the IPC handlers and the CLI. Plans are
 * made here and kept by id, so only plans this service made are ever applied; before applying,
 * the plan is made again against the host as it is now and refused if the steps differ (the
 * host changed since the user looked). As root the engine runs in-process; otherwise the plan
 * goes to the pkexec helper, which re-validates everything itself.
 */
import { PassthruError } from '../../../shared/errors';
import { planVmNetwork, type VmNetworkRequest } from '../plans/vm-network-planner';
import type { ApplyProgress, ApplyResult, DeviceState, HistoryEntry, Plan } from '../../../shared/plan';
import { ApplyEngine } from '../apply/apply-engine';
import { defaultStateDir, JournalStore, SYSTEM_JOURNAL_DIR, toHistory, type JournalRecord } from '../apply/journal-store';
import { runCommand as defaultRunCommand, type CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { RootFs } from '../fs/root-fs';
import { kernelFor } from '../ops/core';
import { defaultPersistenceFiles, defaultPlanner } from './default-planner';
import { helperNotInstalledError, isHelperInstalled, runViaHelper } from './elevated-apply';
import type { HelperRequest } from '../helper/helper-protocol';
import type { AssignRequest, ChangeServiceApi, IommuRequest, SriovRequest, VfConfigRequest } from './change-service.types';
import { planUndo } from '../plans/assign-planner';

/** What ChangeService needs from the planning side (electron/host/plans), as one seam. */
export interface ChangePlanner {
  planAssign(root: string, request: AssignRequest & { ownerUid: number | null }, meta: PlanMeta): Promise<Plan>;
  planRelease(root: string, address: string, original: DeviceState | null, meta: PlanMeta): Promise<Plan>;
  planSriov(root: string, request: SriovRequest, meta: PlanMeta): Promise<Plan>;
  planVfConfig(root: string, request: VfConfigRequest, meta: PlanMeta): Promise<Plan>;
  planIommu(root: string, request: IommuRequest, meta: PlanMeta): Promise<Plan>;
}

export interface PlanMeta {
  planId: string;
  now: Date;
}

export interface ChangeServiceOptions {
  /** Host root (default `/`); a fake tree in tests. */
  root?: string;
  /** Journal directory (default: the system journal for `/`, else defaultStateDir()). */
  stateDir?: string;
  /** Desktop user to receive /dev/vfio/<group> (null/undefined: leave it to root). */
  ownerUid?: number;
  now?: () => Date;
  idFactory?: () => string;
  /** The planner; see change-planner wiring in the report (required until plans/ lands). */
  planner?: ChangePlanner;
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
}

interface Made {
  plan: Plan;
  /** How to make it again (stale check). */
  remake: (meta: PlanMeta) => Promise<Plan>;
  reverses: string | null;
}

let seq = 0;

export class ChangeService implements ChangeServiceApi {
  readonly root: string;
  readonly store: JournalStore;
  private readonly plans = new Map<string, Made>();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly runCommand: CommandRunner;

  constructor(private readonly options: ChangeServiceOptions = {}) {
    this.root = options.root ?? '/';
    this.store = new JournalStore(options.stateDir ?? (this.root === '/' ? SYSTEM_JOURNAL_DIR : defaultStateDir()));
    this.now = options.now ?? (() => new Date());
    this.newId = options.idFactory ?? (() => `${this.now().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++seq}`);
    this.runCommand = options.runCommand ?? defaultRunCommand;
  }

  private planner(): ChangePlanner {
    const planner = this.options.planner ?? defaultPlanner;
    if (!planner) throw new PassthruError('INTERNAL', 'Planning is not wired into this build yet.', null);
    return planner;
  }

  private engine(): ApplyEngine {
    return new ApplyEngine({
      store: this.store,
      context: {
        root: this.root,
        fs: new RootFs(this.root),
        runCommand: this.runCommand,
        writer: this.options.writer,
        kernel: kernelFor(this.root, this.options.writer),
        persistenceFiles: defaultPersistenceFiles ?? undefined,
      },
      now: this.now,
      idFactory: this.newId,
    });
  }

  private keep(plan: Plan, remake: Made['remake'], reverses: string | null = null): Plan {
    this.plans.set(plan.id, { plan, remake, reverses });
    return plan;
  }

  async planAssign(request: AssignRequest): Promise<Plan> {
    const req = { ...request, ownerUid: this.options.ownerUid ?? null };
    const remake = (meta: PlanMeta) => this.planner().planAssign(this.root, req, meta);
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  async planRelease(address: string): Promise<Plan> {
    const original = this.recordedOriginal(address);
    const remake = (meta: PlanMeta) => this.planner().planRelease(this.root, address, original, meta);
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  async planSriov(request: SriovRequest): Promise<Plan> {
    const remake = (meta: PlanMeta) => this.planner().planSriov(this.root, request, meta);
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  /** Plans creating or removing a VM's tap devices (no planner needed: the ops check everything). */
  async planVmNetwork(request: VmNetworkRequest): Promise<Plan> {
    const remake = async (meta: PlanMeta) => planVmNetwork(request, { planId: meta.planId, now: meta.now.toISOString() });
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  async planVfConfig(request: VfConfigRequest): Promise<Plan> {
    const remake = (meta: PlanMeta) => this.planner().planVfConfig(this.root, request, meta);
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  async planIommu(request: IommuRequest): Promise<Plan> {
    const remake = (meta: PlanMeta) => this.planner().planIommu(this.root, request, meta);
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake);
  }

  async planUndo(journalId?: string): Promise<Plan> {
    const record = journalId ? this.store.load(journalId) : this.store.all().find((r) => r.state === 'applied');
    if (!record || record.state !== 'applied') {
      throw new PassthruError('BAD_INPUT', journalId ? `Journal entry ${journalId} is not an applied change.` : 'There is no applied change to undo.', 'See `passthru history`.');
    }
    const remake = async (meta: PlanMeta) => planUndo(toHistory(record), record.plan, { planId: meta.planId, now: meta.now.toISOString() });
    return this.keep(await remake({ planId: this.newId(), now: this.now() }), remake, record.journalId);
  }

  async apply(planId: string, options: { confirmText?: string; onProgress?: (p: ApplyProgress) => void } = {}): Promise<ApplyResult> {
    const made = this.plans.get(planId);
    if (!made) throw new PassthruError('BAD_INPUT', 'That plan was not made by Passthru in this session.', 'Plan the change again.');
    const plan = made.plan;
    if (plan.refusal) {
      const ok = plan.refusal.forceable && plan.options.force && plan.refusal.confirmText !== null && options.confirmText === plan.refusal.confirmText;
      if (!ok) throw new PassthruError(plan.refusal.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'REFUSED', plan.refusal.message, plan.refusal.remedy);
    }
    // Before anything else: a plan that needs the helper cannot be applied without it (kept, so
    // it can be applied once the helper is installed).
    if (!(plan.noop || plan.steps.length === 0) && !this.inProcess()) this.assertHelperInstalled();
    // Stale plans: the host may have changed since the user saw the plan.
    if (made.reverses === null) {
      const again = await made.remake({ planId: plan.id, now: this.now() });
      if (JSON.stringify(again.steps.map((s) => s.op)) !== JSON.stringify(plan.steps.map((s) => s.op)) || again.noop !== plan.noop) {
        this.plans.delete(planId);
        throw new PassthruError('REFUSED', 'The host changed since this plan was made; nothing was changed.', 'Review the new plan and apply it.');
      }
    }
    this.plans.delete(planId);
    if (plan.noop || plan.steps.length === 0) return this.engine().apply(plan);
    if (this.inProcess()) return this.engine().apply(plan, { onProgress: options.onProgress, reverses: made.reverses });
    const request = made.reverses === null ? { verb: 'apply' as const, plan } : { verb: 'apply' as const, plan, reverses: made.reverses };
    return this.viaHelper(request, options.onProgress);
  }

  async history(): Promise<HistoryEntry[]> {
    return this.store.history();
  }

  /** Changes left half-done by a crash, newest first: offer to roll them back. */
  incomplete(): HistoryEntry[] {
    return this.store.history().filter((h) => h.state === 'applying');
  }

  async rollback(journalId: string, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    if (this.inProcess()) return this.engine().rollback(journalId, onProgress);
    return this.viaHelper({ verb: 'rollback', journalId }, onProgress);
  }

  /** As root, or on a test tree, the engine runs here; otherwise the pkexec helper does. */
  private inProcess(): boolean {
    return this.options.inProcess ?? (process.getuid?.() === 0 || this.root !== '/');
  }

  /** Only the default pkexec command needs the installed helper; a given helperArgv names its own. */
  private assertHelperInstalled(): void {
    if (this.options.helperArgv !== undefined) return;
    if (!(this.options.helperInstalled ?? isHelperInstalled)()) throw helperNotInstalledError();
  }

  private viaHelper(request: HelperRequest, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    this.assertHelperInstalled();
    return runViaHelper(this.runCommand, request, { onProgress, helperArgv: this.options.helperArgv });
  }

  /** The state recorded before the newest applied (not undone) assign that changed `address`. */
  private recordedOriginal(address: string): DeviceState | null {
    const rec: JournalRecord | undefined = this.store
      .all()
      .find((r) => r.plan.kind === 'assign' && r.state === 'applied' && r.plan.devices.includes(address));
    return rec?.original[address] ?? null;
  }
}
