/**
 * What the write commands (assign, release, undo) share: their options, the ChangeService they
 * drive, the plan printout, the confirmation (y/N, or typing the interface name for a forced
 * plan), the crash-recovery notice, and turning an ApplyResult into output and an exit code.
 */
import { createInterface } from 'node:readline/promises';
import { userInfo } from 'node:os';
import { PassthruError } from '#shared/errors';
import type { ApplyResult, Plan } from '#shared/plan';
import { awaitConfirmation } from './await-confirmation';
import { ChangeService } from '../host/changes/change-service';
import { runCommand } from '../host/exec/run-command';
import { resolveRoot, type CliIo, type ParsedArgs } from './command-line';
import { MAX_UID } from './option-values';
import { sshSessionAddress } from './ssh-session';
import { formatArgv } from '#shared/shell-quote';

export const WRITE_OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  root: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

/** The ChangeService of a command: the root and journal its options name (`--root`, `--state-dir`), this machine's by default. */
export function makeService(values: ParsedArgs['values'], ownerUid?: number): ChangeService {
  const root = resolveRoot(values.root);
  const stateDir = typeof values['state-dir'] === 'string' ? values['state-dir'] : undefined;
  return new ChangeService({ root, stateDir, ownerUid, sessionAddress: sshSessionAddress() });
}

/**
 * --owner USER|UID → uid. A name is resolved by the host's own `id -u` (so NSS users, LDAP and
 * the like count), through the exec seam like every other process (argv, no shell).
 */
export async function resolveOwner(value: string | boolean | undefined): Promise<number | undefined> {
  if (typeof value !== 'string') return undefined;
  // command-line.ts checked the shape and range already (option-values.ts, rule "user"); kept as a guard.
  if (/^\d{1,10}$/.test(value) && Number(value) <= MAX_UID) return Number(value);
  if (!/^[a-z_][a-z0-9_.-]*$/i.test(value)) throw new PassthruError('BAD_INPUT', `${value} is not a user name or uid.`, 'Give an existing user name or a numeric uid.');
  if (value === userInfo().username) return userInfo().uid;
  const noSuchUser = new PassthruError('BAD_INPUT', `There is no user ${value}.`, 'Give an existing user name or a numeric uid.');
  const uid = await runCommand(['id', '-u', '--', value]).then(
    (r) => r.stdout.trim(),
    () => null,
  );
  if (uid === null || !/^\d{1,10}$/.test(uid) || Number(uid) > MAX_UID) throw noSuchUser;
  return Number(uid);
}

/** Tells the user about a change a crash left half-done (but `except`), and how to roll it back. */
export function reportIncomplete(service: ChangeService, io: CliIo, except?: string): void {
  for (const h of service.incomplete().filter((e) => e.journalId !== except)) {
    io.err(
      `passthru: change ${h.journalId} (${h.kind} ${h.target}, started ${h.startedAt}) was interrupted and may be half-done. ` +
        `Roll it back with \`${formatArgv(['passthru', 'undo', '--journal', h.journalId, '--yes'])}\`.\n`,
    );
  }
}

/**
 * Asks before changing anything. No terminal and no --yes: refuse (exit 2). A forced plan over
 * a refusal needs its confirmText typed (e.g. the management NIC's name), even with --yes.
 */
export async function confirm(plan: Pick<Plan, 'refusal'>, values: ParsedArgs['values'], io: CliIo): Promise<string | undefined> {
  const needText = plan.refusal?.confirmText ?? null;
  if (plan.refusal && !(plan.refusal.forceable && values.force)) {
    // How to override, in this command's own terms (the plan's remedy is worded for every front end).
    const how =
      plan.refusal.forceable && plan.refusal.confirmText !== null
        ? ` To override: add --force and type ${plan.refusal.confirmText} when asked (or --confirm ${plan.refusal.confirmText}).`
        : '';
    throw new PassthruError(plan.refusal.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'REFUSED', plan.refusal.message, `${plan.refusal.remedy ?? ''}${how}`.trim() || null);
  }
  if (needText !== null && typeof values.confirm === 'string') return values.confirm;
  if (values.yes && needText === null) return undefined;
  if (!process.stdin.isTTY) {
    throw new PassthruError('BAD_INPUT', 'Refusing to change the host without confirmation: no terminal to ask on.', 'Pass --yes (after reviewing with --dry-run).');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (needText !== null) {
      io.err(`${plan.refusal?.message ?? ''}\nThe network on it will drop. Type ${needText} to go ahead: `);
      const answer = (await rl.question('')).trim();
      if (answer !== needText) throw new PassthruError('REFUSED', 'Not confirmed; nothing was changed.', null);
      return answer;
    }
    const answer = (await rl.question('Apply this plan? [y/N] ')).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new PassthruError('BAD_INPUT', 'Not confirmed; nothing was changed.', null);
    return undefined;
  } finally {
    rl.close();
  }
}

/** Prints the outcome; a failed apply becomes FAILED (exit 4) with the step and the reason. */
export function finish(result: ApplyResult, json: boolean, io: CliIo): void {
  if (result.ok) {
    io.out(json ? `${JSON.stringify(result, null, 2)}\n` : `Done (journal ${result.journalId}).\n`);
    return;
  }
  throw new PassthruError(
    'FAILED',
    `Step ${result.failedStep ?? '?'} failed: ${result.error?.message ?? 'unknown error'} ${result.rolledBack ? 'Every step done was undone.' : 'Rolling back did not complete.'}`,
    result.error?.remedy ?? (result.rolledBack ? null : `See \`passthru history --json\` (journal ${result.journalId}).`),
  );
}

/** The shared tail of every write command: show (as the plan's kind prints it), confirm, apply, report. */
export async function planAndApply(service: ChangeService, plan: Plan, values: ParsedArgs['values'], io: CliIo): Promise<void> {
  const format = (p: Plan): string => service.planText(p);
  const json = values.json === true;
  if (values['dry-run']) {
    io.out(json ? `${JSON.stringify(plan, null, 2)}\n` : format(plan));
    return;
  }
  if (!json) io.err(format(plan));
  if (plan.noop && !plan.refusal) {
    io.out(json ? `${JSON.stringify(await service.apply(plan.id, {}), null, 2)}\n` : 'Nothing to do.\n');
    return;
  }
  const confirmText = await confirm(plan, values, io);
  if (plan.confirm && !json) io.err(`Once applied, this change is checked and then kept only if you confirm it within ${plan.confirm.seconds} s.\n`);
  const result = await service.apply(plan.id, {
    confirmText,
    onProgress: (p) => {
      if (!json && p.state !== 'pending') io.err(`  ${p.state.padEnd(8)} ${p.message ?? p.stepId}\n`);
    },
    onCheck: (c) => {
      if (!json) io.err(`  ${c.ok ? 'checked ' : 'FAILED  '} ${c.detail}\n`);
    },
  });
  if (result.ok && result.pending) return awaitConfirmation(service, result, values, io);
  finish(result, json, io);
}
