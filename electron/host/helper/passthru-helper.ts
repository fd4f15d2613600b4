/**
 * The privileged helper, run as root by `pkexec /usr/lib/passthru/passthru-helper` (policy in
 * build/polkit/org.passthru.policy). It trusts nothing from its caller: it takes an intent
 * and the fingerprint of the plan shown, plans the intent itself on the live host (root `/`,
 * never a caller-chosen root) with every safety check, acts only on that plan, for the user
 * pkexec names (PKEXEC_UID), and journals under /var/lib/passthru/journal before each step.
 * Protocol: helper-protocol.ts; stdin and stdout handling: helper-process.ts.
 */
import { JOURNAL_ID_PATTERN } from '#shared/change-schemas';
import { SYSTEM_JOURNAL_DIR } from '../apply/journal-store';
import { ChangeExecutor } from '../changes/change-executor';
import { useSelfAsRevertTimer } from '../changes/revert-timer';
import { runCommand } from '../exec/run-command';
import { runHelperProcess } from './helper-process';

/**
 * `passthru-helper revert-timer --journal ID …`: the revert timer of a change this helper
 * applied under confirm-or-revert, started by the helper itself, detached. Only the journal id
 * is taken from the arguments: the root and the journal are always the live host's.
 */
async function revertTimer(args: string[]): Promise<void> {
  const id = args[args.indexOf('--journal') + 1] ?? '';
  if (!args.includes('--journal') || !JOURNAL_ID_PATTERN.test(id)) {
    process.stderr.write('passthru-helper: revert-timer needs --journal ID\n');
    process.exitCode = 2;
    return;
  }
  const executor = new ChangeExecutor({ root: '/', stateDir: SYSTEM_JOURNAL_DIR, caller: { uid: null }, runCommand, revertTimer: null });
  process.stdout.write(`${new Date().toISOString()} change ${id}: ${await executor.runRevertTimer(id)}\n`);
}

if (process.argv[2] === 'revert-timer') {
  void revertTimer(process.argv.slice(3));
} else {
  if (process.argv[1]) useSelfAsRevertTimer([process.execPath, process.argv[1], 'revert-timer']);
  runHelperProcess({ root: '/', stateDir: SYSTEM_JOURNAL_DIR, runCommand, env: process.env });
}
