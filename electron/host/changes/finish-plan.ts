/**
 * A planner's draft becomes the plan the user sees: each step gets its ops' own shell lines
 * (ops/), unless the planner already knows the real commands (the boot configuration's). This
 * is the one place plans and ops meet, so planners never word a command and ops never plan.
 */
import type { Plan } from '#shared/plan';
import type { OpRegistry } from '../ops';
import type { PlanDraft } from '../plans/plan-steps';

export function finishPlan(draft: PlanDraft, ops: OpRegistry): Plan {
  return {
    ...draft,
    steps: draft.steps.map((s) => ({ ...s, shell: s.shell ?? ops.shellOf(s.op), undoShell: s.undoShell ?? (s.undo ? ops.shellOf(s.undo) : []) })),
  };
}
