/**
 * The change kinds in use, and the ops they bring: what every part of the change road works
 * from (the caller's ChangeService, the executor in-process or in the pkexec helper, the
 * journal). The app uses {@link BUILT_IN_CHANGES}; a test may add a kind with one line,
 * `new ChangeRegistry([...BUILT_IN_KINDS, itsKind])`.
 */
import * as z from 'zod/mini';
import { firstProblem } from '#shared/change-schemas';
import { PassthruError, badInput } from '#shared/errors';
import type { ChangeIntent, ChangeRequest, Plan } from '#shared/plan';
import { BUILT_IN_OPS, OpRegistry } from '../ops';
import type { AnyChangeKind, PlanningContext, Requester } from './change-kind';
import { finishPlan } from './finish-plan';
import { BUILT_IN_KINDS } from './kinds';
import { genericPlanText } from './plan-text';

const DIGEST = /^[0-9a-f]{64}$/;
const kindOnly = z.looseObject({ kind: z.string().check(z.maxLength(64)) });
const requestEnvelope = z.strictObject({
  intent: z.unknown(),
  digest: z.string().check(z.regex(DIGEST)),
  confirmText: z.nullable(z.string().check(z.maxLength(64))),
});

function parseOrBad<T>(schema: z.ZodMiniType<T>, data: unknown, what: string): T {
  const r = z.safeParse(schema, data);
  if (!r.success) throw badInput(`The ${what} is malformed (${firstProblem(r.error)}).`, 'Plan the change again in Passthru.');
  return r.data;
}

export class ChangeRegistry {
  readonly ops: OpRegistry;
  private readonly kinds = new Map<string, AnyChangeKind>();

  constructor(kinds: readonly AnyChangeKind[]) {
    for (const k of kinds) {
      if (this.kinds.has(k.kind)) throw new PassthruError('INTERNAL', `Two change kinds are named ${k.kind}.`, null);
      this.kinds.set(k.kind, k);
    }
    this.ops = new OpRegistry([...BUILT_IN_OPS, ...kinds.flatMap((k) => k.ops ?? [])]);
  }

  get kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  private kindOf(data: unknown, what: string): AnyChangeKind {
    const { kind } = parseOrBad(kindOnly, data, what);
    const k = this.kinds.get(kind);
    if (!k) throw badInput(`Unknown change ${JSON.stringify(kind)}.`, `Passthru makes these changes: ${this.kindNames.join(', ')}.`);
    return k;
  }

  /** A caller's request (IPC, CLI) as the intent it stands for, with what the service knows filled in. */
  intentFromRequest(data: unknown, requester: Requester): ChangeIntent {
    const k = this.kindOf(data, 'request');
    return this.parseIntent(k.toIntent(parseOrBad(k.request, data, 'request'), requester));
  }

  /** An intent from outside (the helper's stdin, a caller's object), checked strictly by its kind. */
  parseIntent(data: unknown): ChangeIntent {
    return parseOrBad(this.kindOf(data, 'change').intent, data, 'change') as ChangeIntent;
  }

  parseChangeRequest(data: unknown): ChangeRequest {
    const envelope = parseOrBad(requestEnvelope, data, 'change request');
    return { ...envelope, intent: this.parseIntent(envelope.intent) };
  }

  /** The plan of an intent, with each step's shell lines from its ops. */
  async plan(ctx: PlanningContext, intent: ChangeIntent): Promise<Plan> {
    const k = this.kindOf(intent, 'change');
    return finishPlan(await k.plan(ctx, intent), this.ops);
  }

  undoNeedsFacts(kind: string): boolean {
    return this.kinds.get(kind)?.undoNeedsFacts ?? true;
  }

  /** The plan as the CLI prints it: its kind's own printout, or the generic one. */
  planText(plan: Plan): string {
    const k = this.kinds.get(plan.kind);
    return k?.formatPlan ? k.formatPlan(plan) : genericPlanText(plan);
  }
}

export const BUILT_IN_CHANGES = new ChangeRegistry(BUILT_IN_KINDS);
export { BUILT_IN_KINDS };
