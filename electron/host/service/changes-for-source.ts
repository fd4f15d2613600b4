/**
 * One ChangeService per host root the GUI has shown, so plans made while looking at a
 * snapshot stay previews of that snapshot. Only the live host (`/`) can be changed: a plan made
 * on a snapshot says so in its checks, before Apply — the plan stays readable (and can be
 * saved as a script for the host it came from), Apply stays off — and applying one is refused.
 */
import type { ChangeRoute } from '#shared/app-status';
import { PassthruError } from '#shared/errors';
import type { ApplyProgress, Plan } from '#shared/plan';
import { ChangeService, type ChangeServiceOptions } from '../changes/change-service';
import type { ChangeRequestInput, ChangeServiceApi } from '../changes/change-service.types';

const SNAPSHOT_MESSAGE = 'This is a snapshot: Passthru shows it read-only and changes nothing.';
const SNAPSHOT_REMEDY = 'Use "Back to live host" to make changes on this machine, or run the plan\'s commands on the host the snapshot came from.';

/** A plan made on a snapshot, marked as one that can be read but not applied. */
function asRehearsal(plan: Plan): Plan {
  // Nothing to apply anyway: its own refusal says why.
  if (plan.noop || (plan.refusal && plan.steps.length === 0)) return plan;
  const check = { id: 'snapshot', title: 'A host Passthru can change', status: 'fail' as const, detail: SNAPSHOT_MESSAGE, remedy: SNAPSHOT_REMEDY, forceable: false };
  const others = plan.refusal && !plan.refusal.message.includes('is a tree of files') ? ` ${plan.refusal.message}` : '';
  return {
    ...plan,
    // The tree-of-files refusal says the same for the kernel steps: one reason is enough.
    checks: [check, ...plan.checks.filter((c) => c.id !== 'environment')],
    refusal: { message: `${SNAPSHOT_MESSAGE}${others}`, remedy: SNAPSHOT_REMEDY, forceable: false, confirmText: null, code: 'ENVIRONMENT' },
  };
}

export class ChangesForSource implements ChangeServiceApi {
  private readonly byRoot = new Map<string, ChangeService>();

  constructor(
    /** The root currently shown (HostService.currentRoot). */
    private readonly currentRoot: () => string,
    private readonly options: Omit<ChangeServiceOptions, 'root'> = {},
  ) {}

  /** On a snapshot, every plan is a rehearsal: readable, never applied. */
  private async rehearsed(plan: Promise<Plan>): Promise<Plan> {
    return this.currentRoot() === '/' ? plan : asRehearsal(await plan);
  }

  private current(): ChangeService {
    const root = this.currentRoot();
    let service = this.byRoot.get(root);
    if (!service) {
      service = new ChangeService({ ...this.options, root });
      this.byRoot.set(root, service);
    }
    return service;
  }

  planChange(request: ChangeRequestInput) {
    return this.rehearsed(this.current().planChange(request));
  }

  apply(planId: string, options: { confirmText?: string; onProgress?: (progress: ApplyProgress) => void }) {
    if (this.currentRoot() !== '/') {
      return Promise.reject(new PassthruError('REFUSED', SNAPSHOT_MESSAGE, SNAPSHOT_REMEDY));
    }
    return this.current().apply(planId, options);
  }

  history() {
    return this.current().history();
  }

  planUndo(journalId?: string) {
    return this.rehearsed(this.current().planUndo(journalId));
  }

  route(): ChangeRoute {
    return this.currentRoot() === '/' ? this.current().route() : 'rehearsal';
  }
}
