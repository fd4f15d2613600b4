/**
 * The CLI's end of confirm-or-revert. A change that passed its checks waits for a
 * confirmation: on a terminal the user is asked, with the time left; an answer of yes keeps it
 * (the confirm change, as `passthru confirm` makes it), anything else puts it back now. Without a
 * terminal (or with --json) the change is left waiting and the output says how to keep it —
 * from a new connection, which is the point: a session that lost the host cannot confirm.
 */
import { createInterface } from 'node:readline/promises';
import { PassthruError } from '#shared/errors';
import type { ApplyResult } from '#shared/plan';
import { formatArgv } from '#shared/shell-quote';
import type { ChangeService } from '../host/changes/change-service';
import type { CliIo, ParsedArgs } from './command-line';

type Pending = NonNullable<ApplyResult['pending']>;

const keepLine = (p: Pending): string => formatArgv(['passthru', 'confirm', '--journal', p.journalId]);

export async function awaitConfirmation(service: ChangeService, result: ApplyResult, values: ParsedArgs['values'], io: CliIo): Promise<void> {
  const pending = result.pending!;
  const json = values.json === true;
  if (json || !process.stdin.isTTY) {
    const words = `Applied and checked; waiting for a confirmation until ${pending.deadline}. Keep it with \`${keepLine(pending)}\` (from a new connection if this one went through the NIC); otherwise it is put back by itself.`;
    io.out(json ? `${JSON.stringify(result, null, 2)}\n` : `${words}\n`);
    return;
  }
  const left = Math.max(0, Date.parse(pending.deadline) - Date.now());
  const answer = await ask(`Keep this change? It is put back by itself in ${Math.round(left / 1000)} s (at ${pending.deadline}) unless you answer y. [y/N] `, left, io);
  if (answer === 'y' || answer === 'yes') {
    const plan = await service.planChange({ kind: 'confirm', journalId: pending.journalId });
    if (plan.refusal) throw new PassthruError('REFUSED', plan.refusal.message, plan.refusal.remedy);
    const kept = await service.apply(plan.id, {});
    if (!kept.ok) throw new PassthruError('FAILED', `The change could not be kept: ${kept.error?.message ?? 'unknown error'}`, null);
    io.out(`Kept (journal ${pending.journalId}).\n`);
    return;
  }
  if (answer === null) io.err('\nNo answer in time: the revert timer puts the change back.\n');
  else {
    const undo = await service.planUndo(pending.journalId);
    if (!undo.refusal) await service.apply(undo.id, {});
  }
  const entry = await settled(service, pending.journalId);
  const back = entry?.state === 'rolled-back' || entry?.state === 'undone';
  throw new PassthruError(
    'FAILED',
    back ? 'Not confirmed; everything was put back.' : `Not confirmed, and putting it back has not finished (journal ${pending.journalId} is ${entry?.state ?? 'unreadable'}).`,
    back ? null : `See \`passthru history --json\`; roll it back with \`passthru undo --journal ${pending.journalId}\`.`,
  );
}

/** The user's answer, lower-cased, or null when the time ran out. */
async function ask(question: string, ms: number, io: CliIo): Promise<string | null> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    io.err(question);
    return (await rl.question('', { signal: AbortSignal.timeout(ms) })).trim().toLowerCase();
  } catch {
    return null;
  } finally {
    rl.close();
  }
}

/** The entry once the timer (or the undo) has decided it, waiting up to two minutes. */
async function settled(service: ChangeService, journalId: string): Promise<ReturnType<ChangeService['entry']>> {
  for (let i = 0; i < 240; i++) {
    const entry = service.entry(journalId);
    if (!entry || entry.confirm?.state === 'reverted' || entry.confirm?.state === 'confirmed' || entry.state === 'undone') return entry;
    await new Promise((r) => setTimeout(r, 500));
  }
  return service.entry(journalId);
}
