/**
 * A change kind: one module (changes/kinds/<kind>.ts) that says everything Passthru knows about
 * one sort of change — what a caller may ask for, the intent that crosses to the privileged
 * executor, how it is planned, how the CLI prints the plan, and any op of its own. The registry
 * (change-registry.ts) lists the kinds; the IPC channel `change:plan`, the CLI, the executor,
 * the pkexec helper and the journal all work from it, so adding a kind touches nothing else.
 */
import type * as z from 'zod/mini';
import type { Plan } from '#shared/plan';
import type { JournalStore } from '../apply/journal-store';
import type { HostFs } from '../fs/host-fs';
import type { AnyOpHandler, OpRegistry } from '../ops';
import type { PlanIds } from '../plans/assign-planner';
import type { HostFacts } from '../plans/host-facts';
import type { PlanDraft } from '../plans/plan-steps';

/** Who asked. `uid` null: root itself (the CLI under sudo); a number: the user pkexec ran us for. */
export interface Caller {
  uid: number | null;
}

/** What the service that takes a request knows of the asker, filled into intents (never read from a request). */
export interface Requester {
  /** The desktop user who receives what a change hands out (/dev/vfio/N); null: root keeps it. */
  ownerUid: number | null;
  /**
   * The host address the asker's connection came to (SSH_CONNECTION's, or the web UI's socket),
   * so a network change can say whether it cuts that connection; null when unknown or local.
   */
  sessionAddress?: string | null;
}

export interface PlanningContext {
  root: string;
  fs: HostFs;
  journal: JournalStore;
  caller: Caller;
  /** The host's facts (a full scan), read once per plan and only by the kinds that need them. */
  facts(): Promise<HostFacts>;
  ids: PlanIds;
  /** The ops of the kinds in use (an undo words and shows its journaled ops with them). */
  ops: OpRegistry;
  /** Whether undoing a change of `kind` needs the host's facts (see ChangeKindModule.undoNeedsFacts). */
  undoNeedsFacts(kind: string): boolean;
}

export interface ChangeKindModule<Intent extends { kind: string }, Request extends { kind: string } = Intent> {
  kind: Intent['kind'];
  /**
   * What a caller may ask (the payload of `change:plan`, a CLI command's options), strictly: an
   * unknown key is bad input. Optional fields get their defaults in {@link toIntent}.
   */
  request: z.ZodMiniType<Request>;
  /** The request made complete, with what only the service knows (who receives what). */
  toIntent(request: Request, requester: Requester): Intent;
  /**
   * The intent, strictly: the only thing besides the digest that crosses to the executor (in the
   * pkexec helper too, which trusts nothing it is sent and plans it again).
   */
  intent: z.ZodMiniType<Intent>;
  /** Plans the intent on the host as it is; writes nothing. Steps carry ops, the ops carry the shell lines. */
  plan(ctx: PlanningContext, intent: Intent): Promise<PlanDraft>;
  /** The plan as `passthru` prints it; absent: the generic printout (changes/plan-text.ts). */
  formatPlan?(plan: Plan): string;
  /** Ops only this kind uses (verbs no other op has); the built-in ops (ops/index.ts) are there for every kind. */
  ops?: readonly AnyOpHandler[];
  /**
   * Whether undoing one of its changes needs a fresh scan of the host (to word the group's
   * verdict after it). Kinds that do not move PCI devices between drivers say false.
   */
  undoNeedsFacts: boolean;
}

/** A kind of any intent (the registry routes by `kind`; each module is typed by its own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind is typed by its own intent; the registry only routes
export type AnyChangeKind = ChangeKindModule<any, any>;

/** Declares a kind with its types inferred from its schemas (and only from them: the functions are checked against them). */
export function defineChangeKind<Intent extends { kind: string }, Request extends { kind: string }>(
  kind: Omit<ChangeKindModule<Intent, Request>, 'toIntent' | 'plan'> & {
    toIntent(request: NoInfer<Request>, requester: Requester): NoInfer<Intent>;
    plan(ctx: PlanningContext, intent: NoInfer<Intent>): Promise<PlanDraft>;
  },
): ChangeKindModule<Intent, Request> {
  return kind;
}
