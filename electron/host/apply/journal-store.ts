/**
 * The change journal: one JSON file per change under a state directory, rewritten atomically
 * (temp file, fsync, rename, fsync dir) every time a step changes state. A step is journaled as
 * 'running' BEFORE it is attempted, so after a crash the journal says exactly what may have
 * been done and can be undone (DESIGN.md "Journal first, then act").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeviceState, HistoryEntry, JournalState, OpCall, Plan, StepState } from '../../../shared/plan';

export interface JournalStep {
  id: string;
  title: string;
  op: OpCall;
  undo: OpCall | null;
  state: StepState;
  error: string | null;
}

/** The file format (version 1). */
export interface JournalRecord {
  version: 1;
  journalId: string;
  plan: Plan;
  /** What "give back" restores: copied from the plan, recorded before any change. */
  original: Record<string, DeviceState>;
  state: JournalState;
  startedAt: string;
  finishedAt: string | null;
  steps: JournalStep[];
  /** For undo plans: the journal entry this one reverses (it is marked 'undone' when this applies). */
  reverses: string | null;
}

/** The real host's journal, written by root (the helper or the CLI under sudo), readable by all. */
export const SYSTEM_JOURNAL_DIR = '/var/lib/passthru/journal';

/** Where journals live: /var/lib/passthru/journal as root, else $XDG_STATE_HOME/passthru. */
export function defaultStateDir(): string {
  if (process.getuid?.() === 0) return SYSTEM_JOURNAL_DIR;
  const xdg = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdg, 'passthru');
}

const ID = /^[A-Za-z0-9._-]{1,100}$/;

export class JournalStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID.test(id)) throw new Error(`Invalid journal id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** Writes the record durably: a reader after a crash sees either the old or the new file. */
  save(record: JournalRecord): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const target = this.file(record.journalId);
    const tmp = `${target}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o644);
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

  load(id: string): JournalRecord | null {
    try {
      return JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as JournalRecord;
    } catch {
      return null;
    }
  }

  /** Every record, newest first (by start time, then id). */
  all(): JournalRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const records = names.map((n) => this.load(n.slice(0, -5))).filter((r): r is JournalRecord => r !== null && r.version === 1);
    return records.sort((a, b) => (a.startedAt === b.startedAt ? b.journalId.localeCompare(a.journalId) : b.startedAt.localeCompare(a.startedAt)));
  }

  /** Changes interrupted mid-way (the process died while 'applying'). */
  incomplete(): JournalRecord[] {
    return this.all().filter((r) => r.state === 'applying');
  }

  history(): HistoryEntry[] {
    return this.all().map(toHistory);
  }
}

export function toHistory(r: JournalRecord): HistoryEntry {
  return {
    journalId: r.journalId,
    kind: r.plan.kind,
    target: r.plan.target,
    devices: [...r.plan.devices],
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    state: r.state,
    steps: r.steps.map((s) => ({ id: s.id, title: s.title, state: s.state })),
  };
}
