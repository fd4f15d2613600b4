/**
 * The change journal: one JSON file per change under a state directory, rewritten atomically
 * (temp file, fsync, rename, fsync dir) every time a step changes state. A step is journaled as
 * 'running' BEFORE it is attempted, so after a crash the journal says exactly what may have
 * been done and can be undone ("journal first, then act").
 *
 * A journal file is input like any other: every record is parsed with a schema when read. A
 * file that is not a record (bad JSON, wrong shape, a step op that is no op) is reported as
 * unreadable, with its file, and never stops history, undo or any other command. A record
 * carries the root it was made under, so a change made on a test tree is never "undone" on
 * this machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { firstProblem, JOURNAL_ID_PATTERN } from '#shared/change-schemas';
import { PassthruError } from '#shared/errors';
import {
  PLAN_KINDS,
  type DeviceState,
  type HistoryEntry,
  type JournalHistory,
  type JournalState,
  type OpCall,
  type PlanKind,
  type StepState,
  type UnreadableJournalEntry,
} from '#shared/plan';
import type { PendingConfirm } from '#shared/confirm-window';
import { makeDirs } from '../fs/make-dirs';
import { OPS, type OpRegistry } from '../ops';
import { PCI_ADDRESS } from '#shared/pci-address';

export interface JournalStep {
  id: string;
  op: OpCall;
  undo: OpCall | null;
  state: StepState;
  error: string | null;
}

/** The file format (version 2). Step words are not stored: they are made from the ops when shown. */
export interface JournalRecord {
  version: 2;
  journalId: string;
  /** The host root the change was made under; null for a version-1 record whose root is unknown. */
  root: string | null;
  kind: PlanKind;
  target: string;
  devices: string[];
  /** What "give back" restores: the devices' state recorded before any change. */
  original: Record<string, DeviceState>;
  state: JournalState;
  startedAt: string;
  finishedAt: string | null;
  steps: JournalStep[];
  /** For undo and rollback plans: the entry this one reverses (marked when this one applies). */
  reverses: string | null;
  /** For a change under confirm-or-revert (shared/confirm-window.ts): where it stands. */
  confirm?: PendingConfirm | null;
}

/** What a change under confirm-or-revert came to: kept, or put back. Decided once (see claimDecision). */
export type ConfirmDecision = 'keep' | 'revert';

/** The real host's journal, written by root (the helper or the CLI under sudo), readable by all. */
export const SYSTEM_JOURNAL_DIR = '/var/lib/passthru/journal';

/** Where journals live: /var/lib/passthru/journal as root, else $XDG_STATE_HOME/passthru. */
export function defaultStateDir(): string {
  if (process.getuid?.() === 0) return SYSTEM_JOURNAL_DIR;
  const xdg = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdg, 'passthru');
}

const pciAddress = z.string().check(z.regex(PCI_ADDRESS));
const driverName = z.nullable(z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/)));
const deviceState = z.strictObject({ driver: driverName, driverOverride: driverName });
const journalState = z.enum(['applying', 'applied', 'rolled-back', 'rollback-failed', 'undone']);
const stepState = z.enum(['pending', 'running', 'done', 'failed', 'undoing', 'undone']);
const isoTime = z.string().check(z.maxLength(40), z.regex(/^\d{4}-\d\d-\d\dT[0-9:.]+Z$/));
const stepId = z.string().check(z.regex(/^[A-Za-z0-9:._-]{1,120}$/));
const journalId = z.string().check(z.regex(JOURNAL_ID_PATTERN));
// Records are the privileged side's own files, but a user's state directory is the user's:
// bound every field so a planted file cannot make reading the history expensive.
const stepError = z.nullable(z.string().check(z.maxLength(4000)));

/**
 * What records may say: the change kinds and the ops in use (the app's change registry, which
 * holds every kind's own ops). A record naming anything else is unreadable, never acted on.
 */
export interface JournalVocabulary {
  kinds: readonly string[];
  ops: OpRegistry;
}

const BUILT_IN_VOCABULARY: JournalVocabulary = { kinds: PLAN_KINDS, ops: OPS };

function recordSchemas({ kinds, ops }: JournalVocabulary) {
  const planKind = z.enum(kinds as [string, ...string[]]);
  const opCallSchema = ops.schema;
  const recordV2 = z.strictObject({
    version: z.literal(2),
    journalId,
    root: z.nullable(z.string().check(z.minLength(1), z.maxLength(4096), z.regex(/^\//))),
    kind: planKind,
    target: z.union([z.literal(''), pciAddress]),
    devices: z.array(pciAddress).check(z.maxLength(256)),
    original: z.record(pciAddress, deviceState),
    state: journalState,
    startedAt: isoTime,
    finishedAt: z.nullable(isoTime),
    steps: z.array(z.strictObject({ id: stepId, op: opCallSchema, undo: z.nullable(opCallSchema), state: stepState, error: stepError })).check(z.maxLength(1024)),
    reverses: z.nullable(journalId),
    confirm: z.optional(
      z.nullable(
        z.strictObject({
          state: z.enum(['pending', 'confirmed', 'reverting', 'reverted']),
          deadline: isoTime,
          seconds: z.int().check(z.minimum(1), z.maximum(86_400)),
          reason: z.nullable(z.string().check(z.maxLength(4000))),
        }),
      ),
    ),
  });

  /**
   * Version 1 (before records carried their root): the plan was stored whole. Only the fields
   * that still mean something are read; the root is known only for the system journal, which
   * only ever held changes to this machine.
   */
  const recordV1 = z.looseObject({
    version: z.literal(1),
    journalId,
    plan: z.looseObject({ kind: planKind, target: z.union([z.literal(''), pciAddress]), devices: z.array(pciAddress).check(z.maxLength(256)) }),
    original: z.record(pciAddress, deviceState),
    state: journalState,
    startedAt: isoTime,
    finishedAt: z.nullable(isoTime),
    steps: z.array(z.looseObject({ id: stepId, op: opCallSchema, undo: z.nullable(opCallSchema), state: stepState, error: stepError })).check(z.maxLength(1024)),
    reverses: z.nullable(journalId),
  });
  return { recordV1, recordV2 };
}
type RecordV1 = z.infer<ReturnType<typeof recordSchemas>['recordV1']>;

/** Journal files larger than this are not records Passthru wrote. */
const MAX_RECORD_BYTES = 1024 * 1024;

type Loaded = { ok: true; record: JournalRecord } | { ok: false; problem: string };

export class JournalStore {
  private readonly schemas: ReturnType<typeof recordSchemas>;

  constructor(
    readonly dir: string,
    private readonly vocabulary: JournalVocabulary = BUILT_IN_VOCABULARY,
  ) {
    this.schemas = recordSchemas(vocabulary);
  }

  /** The ops records may hold: the engine that writes this journal runs and words them with the same. */
  get ops(): OpRegistry {
    return this.vocabulary.ops;
  }

  private file(id: string): string {
    if (!JOURNAL_ID_PATTERN.test(id)) throw new Error(`Invalid journal id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  /**
   * Writes the record durably: a reader after a crash sees either the old or the new file. A
   * journal that cannot be written is the environment's problem, said plainly: the engine saves
   * before the first step, so then nothing has been changed.
   */
  save(record: JournalRecord): void {
    try {
      this.write(record);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new PassthruError(
        'ENVIRONMENT',
        `Passthru cannot write its journal in ${this.dir} (${code}); every step is journaled before it is done, so it stops here.`,
        'Give a journal directory this user can write (--state-dir), or free space on its filesystem.',
      );
    }
  }

  private write(record: JournalRecord): void {
    makeDirs(this.dir, 0o755);
    const target = this.file(record.journalId);
    const tmp = `${target}.${process.pid}.tmp`;
    // O_EXCL|O_NOFOLLOW: a link planted under the temp name is never followed.
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
    try {
      fs.writeSync(fd, `${JSON.stringify(record, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    const dfd = fs.openSync(this.dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  }

  /**
   * Decides, once and for all, what becomes of a change waiting for confirmation: the first
   * caller wins (the file is created with O_EXCL), so a confirmation racing the revert timer
   * can never both keep and revert. True when this call decided it.
   */
  claimDecision(id: string, decision: ConfirmDecision): boolean {
    makeDirs(this.dir, 0o755);
    try {
      const fd = fs.openSync(this.decisionFile(id), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
      try {
        fs.writeSync(fd, `${decision}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  /** What was decided for a change waiting for confirmation, or null while nothing is. */
  decisionOf(id: string): ConfirmDecision | null {
    try {
      const fd = fs.openSync(this.decisionFile(id), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      try {
        const text = fs.readFileSync(fd, 'utf8').slice(0, 16).trim();
        return text === 'keep' || text === 'revert' ? text : null;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
  }

  private decisionFile(id: string): string {
    return this.file(id).replace(/\.json$/, '.decision');
  }

  /** The record with this id, or null when there is none or it is unreadable. */
  load(id: string): JournalRecord | null {
    if (!JOURNAL_ID_PATTERN.test(id)) return null;
    const loaded = this.read(`${id}.json`);
    return loaded?.ok && loaded.record.journalId === id ? loaded.record : null;
  }

  /** Why the record with this id cannot be read (null when it reads, or does not exist). */
  problemWith(id: string): string | null {
    if (!JOURNAL_ID_PATTERN.test(id)) return null;
    const loaded = this.read(`${id}.json`);
    return loaded && !loaded.ok ? loaded.problem : null;
  }

  private read(name: string): Loaded | null {
    const file = path.join(this.dir, name);
    let text: string;
    try {
      // O_NONBLOCK: a FIFO planted in the directory must not hang every command.
      const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFile()) return { ok: false, problem: 'it is not a regular file' };
        if (st.size > MAX_RECORD_BYTES) return { ok: false, problem: `it is ${st.size} bytes, larger than any record` };
        text = fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      return { ok: false, problem: code === 'ELOOP' ? 'it is a symbolic link' : `it cannot be read (${code ?? String(err)})` };
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return { ok: false, problem: 'it is not valid JSON (an interrupted write, or edited by hand)' };
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (version === 1) {
      const v1 = z.safeParse(this.schemas.recordV1, data);
      return v1.success ? { ok: true, record: fromV1(v1.data, this.dir) } : { ok: false, problem: `it is not a journal record (${firstProblem(v1.error)})` };
    }
    const v2 = z.safeParse(this.schemas.recordV2, data);
    if (!v2.success) return { ok: false, problem: `it is not a journal record (${firstProblem(v2.error)})` };
    if (`${v2.data.journalId}.json` !== name) return { ok: false, problem: `it names journal entry ${v2.data.journalId}, not its own file` };
    return { ok: true, record: v2.data as JournalRecord };
  }

  private scan(): { records: JournalRecord[]; unreadable: UnreadableJournalEntry[] } {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return { records: [], unreadable: [] };
    }
    const records: JournalRecord[] = [];
    const unreadable: UnreadableJournalEntry[] = [];
    for (const name of names.sort()) {
      const loaded = this.read(name);
      if (loaded === null) continue;
      if (loaded.ok) records.push(loaded.record);
      else unreadable.push({ file: path.join(this.dir, name), problem: loaded.problem });
    }
    records.sort((a, b) => (a.startedAt === b.startedAt ? b.journalId.localeCompare(a.journalId) : b.startedAt.localeCompare(a.startedAt)));
    return { records, unreadable };
  }

  /** Every readable record, newest first (by start time, then id). */
  all(): JournalRecord[] {
    return this.scan().records;
  }

  /** Changes interrupted mid-way (the process died while 'applying'). */
  incomplete(): JournalRecord[] {
    return this.all().filter((r) => r.state === 'applying');
  }

  /** The history as shown: every readable record, and every file that is not one. */
  history(): JournalHistory {
    const { records, unreadable } = this.scan();
    return { entries: records.map((r) => this.toHistory(r)), unreadable };
  }

  /** A record as the history shows it: each step worded from its op, never from stored text. */
  toHistory(r: JournalRecord): HistoryEntry {
    return {
      journalId: r.journalId,
      root: r.root,
      kind: r.kind,
      target: r.target,
      devices: [...r.devices],
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      state: r.state,
      reverses: r.reverses,
      steps: r.steps.map((s) => ({ id: s.id, title: this.vocabulary.ops.describe(s.op), state: s.state })),
      confirm: r.confirm ?? null,
    };
  }
}

function fromV1(r: RecordV1, dir: string): JournalRecord {
  return {
    version: 2,
    journalId: r.journalId,
    root: path.resolve(dir) === SYSTEM_JOURNAL_DIR ? '/' : null,
    kind: r.plan.kind as PlanKind,
    target: r.plan.target,
    devices: [...r.plan.devices],
    original: r.original,
    state: r.state,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    steps: r.steps.map((s) => ({ id: s.id, op: s.op as OpCall, undo: s.undo as OpCall | null, state: s.state, error: s.error })),
    reverses: r.reverses,
  };
}
