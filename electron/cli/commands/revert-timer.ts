/**
 * `passthru revert-timer --journal ID --state-dir DIR --root DIR` (not listed in the help): the
 * revert timer of confirm-or-revert, started detached by Passthru itself as root once a change's
 * steps are done (changes/revert-timer.ts). It waits for the change's deadline and puts it back
 * unless it was kept. Run by hand it does the same: it only ever reverts a change that waits
 * for confirmation and whose time ran out.
 */
import { PassthruError } from '#shared/errors';
import { ChangeExecutor } from '../../host/changes/change-executor';
import { runCommand } from '../../host/exec/run-command';
import { COMMON_OPTIONS, resolveRoot, type CliCommand } from '../command-line';

export const revertTimerCommand: CliCommand = {
  name: 'revert-timer',
  hidden: true,
  summary: 'The revert timer of a change waiting for confirmation (started by Passthru itself).',
  usage: 'passthru revert-timer --journal ID --state-dir DIR --root DIR',
  details: [],
  options: { ...COMMON_OPTIONS, journal: { type: 'string' }, 'state-dir': { type: 'string' }, root: { type: 'string' } },
  positionals: [],
  async run(args, io) {
    const { journal, 'state-dir': stateDir } = args.values;
    if (typeof journal !== 'string' || typeof stateDir !== 'string') throw new PassthruError('BAD_INPUT', 'revert-timer needs --journal and --state-dir.', null);
    const executor = new ChangeExecutor({ root: resolveRoot(args.values.root), stateDir, caller: { uid: null }, runCommand, revertTimer: null });
    const outcome = await executor.runRevertTimer(journal);
    const at = new Date().toISOString();
    io.out(args.values.json ? `${JSON.stringify({ journalId: journal, outcome, at })}\n` : `${at} change ${journal}: ${outcome}\n`);
  },
};
