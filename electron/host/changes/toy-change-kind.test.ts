/**
 * Adding a change kind is one module and one registry line. The toy kind below ("note": write a
 * line to a file of the root) is declared here and nowhere else — its request and intent
 * schemas, its planner, its CLI printout and its two ops — and registered with one line. With
 * nothing else touched it is planned over IPC (`change:plan`), printed by the CLI, applied by the
 * executor and the engine (journaled, verified), shown in the history in its ops' words, and
 * undone. The built-in registry, which does not list it, refuses it.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import type { OpCall, Plan, PlanDetail } from '#shared/plan';
import type { HistoryEntry } from '#shared/plan';
import { planAndApply } from '../../cli/change-support';
import { createHandlers, dispatch, type HandlerDeps } from '../../main/ipc-handlers';
import { files, type OpHandlerFor } from '../ops/op-context';
import { formatArgv, writeFileLine } from '../ops/shell-lines';
import type { HostService } from '../service/host-service';
import { makeTempRoot } from '../testing/fake-sysfs';
import { defineChangeKind } from './change-kind';
import { BUILT_IN_KINDS, ChangeRegistry } from './change-registry';
import { ChangeService } from './change-service';

// ---- The toy kind: everything about it, in one module. ----

const NOTE = '/etc/passthru-note';
const text = z.string().check(z.regex(/^[a-z ]{1,40}$/));
type WriteNote = { verb: 'write-note'; text: string };
type RemoveNote = { verb: 'remove-note' };

const writeNote: OpHandlerFor<WriteNote> = {
  verb: 'write-note',
  schema: z.strictObject({ verb: z.literal('write-note'), text }),
  scope: 'files',
  describe: (op) => `Write "${op.text}" to ${NOTE}`,
  shell: (op) => [writeFileLine(NOTE, `${op.text}\n`)],
  validate: (_op, ctx) => files(ctx).checkWritable(NOTE),
  run: async (op, ctx) => files(ctx).writeFile(NOTE, `${op.text}\n`),
  verify: (op, ctx) => (files(ctx).readText(NOTE) === `${op.text}\n` ? null : `${NOTE} does not hold the note.`),
};

const removeNote: OpHandlerFor<RemoveNote> = {
  verb: 'remove-note',
  schema: z.strictObject({ verb: z.literal('remove-note') }),
  scope: 'files',
  describe: () => `Remove ${NOTE}`,
  shell: () => [formatArgv(['rm', '-f', NOTE])],
  validate: () => undefined,
  run: async (_op, ctx) => void files(ctx).unlink(NOTE),
  verify: (_op, ctx) => (files(ctx).exists(NOTE) ? `${NOTE} is still there.` : null),
};

const note = z.strictObject({ kind: z.literal('note'), text });

const noteKind = defineChangeKind({
  kind: 'note',
  request: note,
  toIntent: (r) => r,
  intent: note,
  async plan(ctx, intent) {
    // shared/plan.ts types plans with the built-in kinds and verbs the renderer knows (a kind
    // added for real adds its names there); a kind living in a test casts its own instead.
    const op = { verb: 'write-note', text: intent.text } satisfies WriteNote as unknown as OpCall;
    const undo = { verb: 'remove-note' } satisfies RemoveNote as unknown as OpCall;
    return {
      id: ctx.ids.planId,
      kind: 'note' as Plan['kind'],
      detail: { kind: 'note', text: intent.text } as unknown as PlanDetail,
      createdAt: ctx.ids.now,
      target: '',
      devices: [],
      force: false,
      checks: [],
      refusal: null,
      noop: false,
      steps: [{ id: 'write-note', title: `Write the note "${intent.text}"`, op, verify: `${NOTE} holds the note.`, undo }],
      original: {},
    };
  },
  formatPlan: (plan) => `A note, in ${plan.steps.length} step: ${plan.steps.map((s) => s.shell.join(' && ')).join('; ')}\n`,
  ops: [writeNote, removeNote],
  undoNeedsFacts: false,
});

// ---- The one registry line. ----

const changes = new ChangeRegistry([...BUILT_IN_KINDS, noteKind]);

// ---- What it gets without touching anything else. ----

function rig(registry?: ChangeRegistry) {
  const root = makeTempRoot('passthru-toy-root-');
  nodeFs.mkdirSync(path.join(root, 'etc'));
  const service = new ChangeService({ root, stateDir: makeTempRoot('passthru-toy-journal-'), ...(registry ? { changes: registry } : {}) });
  const deps: HandlerDeps = {
    service: {} as HostService,
    changes: service,
    vms: {} as HandlerDeps['vms'],
    emitProgress: () => undefined,
    pickSnapshotDirectory: async () => null,
    passwordPrompt: () => 'none',
  };
  const handlers = createHandlers(deps);
  const call = async <T>(channel: string, payload: unknown): Promise<T> => {
    const r = await dispatch(handlers, channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };
  return { root, service, call, handlers };
}

describe('a change kind declared in one module and registered with one line', () => {
  it('is planned over IPC with its ops’ shell lines, applied through the engine, shown in the history and undone', async () => {
    const { root, call, service } = rig(changes);
    const plan = await call<Plan>('change:plan', { kind: 'note', text: 'hello there' });
    expect(plan).toMatchObject({ kind: 'note', refusal: null, noop: false });
    expect(plan.steps[0]).toMatchObject({ shell: [writeFileLine(NOTE, 'hello there\n')], undoShell: [`rm -f ${NOTE}`] });

    const result = await call<{ ok: boolean; journalId: string }>('plan:apply', { planId: plan.id });
    expect(result.ok).toBe(true);
    expect(nodeFs.readFileSync(path.join(root, NOTE), 'utf8')).toBe('hello there\n');

    const { entries } = await call<{ entries: HistoryEntry[] }>('history:list', {});
    expect(entries[0]).toMatchObject({ journalId: result.journalId, kind: 'note', state: 'applied', steps: [{ title: `Write "hello there" to ${NOTE}`, state: 'done' }] });

    const undo = await call<Plan>('history:planUndo', {});
    expect(undo.steps.map((s) => [s.title, s.shell])).toEqual([[`Remove ${NOTE}`, [`rm -f ${NOTE}`]]]);
    expect((await call<{ ok: boolean }>('plan:apply', { planId: undo.id })).ok).toBe(true);
    expect(nodeFs.existsSync(path.join(root, NOTE))).toBe(false);
    expect(service.store.all().map((r) => r.state)).toEqual(['applied', 'undone']);
  });

  it('is printed by the CLI as the kind says, and checked by its own request schema', async () => {
    const { service, call } = rig(changes);
    const plan = await service.planChange({ kind: 'note', text: 'from the cli' });
    const out: string[] = [];
    await planAndApply(service, plan, { 'dry-run': true }, { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(out.join('')).toBe(`A note, in 1 step: ${writeFileLine(NOTE, 'from the cli\n')}\n`);
    await expect(call('change:plan', { kind: 'note', text: 'HELLO; rm -rf /' })).rejects.toThrow(/BAD_INPUT/);
    await expect(call('change:plan', { kind: 'note', text: 'hello', extra: 1 })).rejects.toThrow(/BAD_INPUT/);
  });

  it('does not exist for a registry that does not list it', async () => {
    const { call } = rig();
    await expect(call('change:plan', { kind: 'note', text: 'hello' })).rejects.toThrow(/BAD_INPUT Unknown change "note"/);
  });
});
