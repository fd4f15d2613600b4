/**
 * confirm: keep a change that waits for confirmation (confirm-or-revert). A change kind of its
 * own so it takes the road every change takes — planned, shown, applied by root in-process or
 * through the pkexec helper, journaled — and so the helper checks it like any other request.
 */
import * as z from 'zod/mini';
import { journalId } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import type { OpCall, PlanCheck } from '#shared/plan';
import { cannotKeep } from '../../apply/pending-changes';
import { type OpHandler } from '../../ops/op-context';
import { formatArgv } from '../../ops/shell-lines';
import { defineChangeKind } from '../change-kind';

const keepChange: OpHandler<'keep-change'> = {
  verb: 'keep-change',
  schema: z.strictObject({ verb: z.literal('keep-change'), journalId }),
  scope: 'files',
  describe: (op) => `Keep change ${op.journalId} (its revert timer stands down)`,
  shell: (op) => [formatArgv(['passthru', 'confirm', '--journal', op.journalId])],
  validate(_op, ctx) {
    if (!ctx.pending) throw new PassthruError('INTERNAL', 'No journal to keep the change in.', null);
  },
  async run(op, ctx) {
    ctx.pending!.keep(op.journalId, ctx.now?.() ?? new Date());
  },
  verify: (op, ctx) => (ctx.pending!.isKept(op.journalId) ? null : `The journal does not say change ${op.journalId} is kept.`),
};

const confirm = z.strictObject({ kind: z.literal('confirm'), journalId });

export const confirmKind = defineChangeKind({
  kind: 'confirm',
  request: confirm,
  toIntent: (r) => r,
  intent: confirm,
  async plan(ctx, i) {
    const record = ctx.journal.load(i.journalId);
    const why =
      record && record.root !== ctx.root
        ? `Change ${i.journalId} was made on ${record.root ?? 'an unknown root'}, not here.`
        : cannotKeep(record, i.journalId, new Date(ctx.ids.now));
    const check: PlanCheck = why
      ? { id: 'pending', title: 'The change waits for a confirmation', status: 'fail', detail: why, remedy: 'See `passthru history`.', forceable: false }
      : {
          id: 'pending',
          title: 'The change waits for a confirmation',
          status: 'pass',
          detail: `Change ${i.journalId} is put back at ${record!.confirm!.deadline} unless kept.`,
          remedy: null,
          forceable: false,
        };
    const op: OpCall = { verb: 'keep-change', journalId: i.journalId };
    return {
      id: ctx.ids.planId,
      kind: 'confirm',
      createdAt: ctx.ids.now,
      target: '',
      devices: [],
      force: false,
      checks: [check],
      refusal: why ? { message: why, remedy: check.remedy, forceable: false, confirmText: null } : null,
      noop: false,
      steps: why ? [] : [{ id: 'keep', title: keepChange.describe(op as never), op, verify: 'The journal says the change is kept.', undo: null }],
      original: {},
      detail: { kind: 'confirm', journalId: i.journalId, change: record?.kind ?? 'confirm', deadline: record?.confirm?.deadline ?? ctx.ids.now },
    };
  },
  ops: [keepChange],
  undoNeedsFacts: false,
});
