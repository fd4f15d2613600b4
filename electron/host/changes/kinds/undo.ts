/** undo: reverse a journaled change — the undo of an applied one, or the rollback of an interrupted one. */
import * as z from 'zod/mini';
import { journalId } from '#shared/change-schemas';
import { defineChangeKind } from '../change-kind';
import { planUndoOf, recordToUndo } from '../undo-plan';

const undo = z.strictObject({ kind: z.literal('undo'), journalId });

export const undoKind = defineChangeKind({
  kind: 'undo',
  request: undo,
  toIntent: (r) => r,
  intent: undo,
  async plan(ctx, i) {
    const record = recordToUndo(
      (id) => ctx.journal.load(id),
      (id) => ctx.journal.problemWith(id),
      i.journalId,
    );
    return planUndoOf(record, ctx, record.root === ctx.root && ctx.undoNeedsFacts(record.kind) ? await ctx.facts() : null);
  },
  undoNeedsFacts: false,
});
