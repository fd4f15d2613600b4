/**
 * "Undo last change": the exact reverse of a journaled change — its steps in reverse order,
 * each step's undo becoming the op and the op becoming the undo.
 */
import type { Plan, PlanStep } from '../../../shared/plan';
import type { JournalRecord } from '../apply/journal-store';

export function reversePlan(record: JournalRecord, meta: { planId: string; now: Date }): Plan {
  const src = record.plan;
  const steps: PlanStep[] = [...src.steps]
    .reverse()
    .filter((s) => s.undo !== null)
    .map((s) => ({
      id: `undo-${s.id}`,
      title: `Undo: ${s.title}`,
      op: s.undo!,
      shell: s.undoShell,
      verify: `The effect of "${s.title}" is gone.`,
      undo: s.op,
      undoShell: s.shell,
    }));
  return {
    ...src,
    id: meta.planId,
    kind: 'undo',
    createdAt: meta.now.toISOString(),
    checks: [],
    refusal: null,
    noop: steps.length === 0,
    steps,
    expected: { ...src.expected },
  };
}
