/**
 * `passthru confirm [--journal ID]`: keep a change that waits for confirmation (a bridge over
 * the NIC of this session, say), from any terminal — typically a new SSH connection, which
 * proves the host is still reachable. Without --journal: the newest change waiting.
 */
import { PassthruError } from '#shared/errors';
import { COMMON_OPTIONS, type CliCommand } from '../command-line';
import { makeService, planAndApply, WRITE_OPTIONS } from '../change-support';

export const confirmCommand: CliCommand = {
  name: 'confirm',
  summary: 'Keep a change that waits for confirmation (otherwise it is put back at its deadline).',
  usage: 'passthru confirm [--journal ID] [--dry-run] [--json]',
  details: [
    '--journal ID     The change to keep (see `passthru history`); default: the newest one waiting.',
    '--dry-run        Say what would be kept; change nothing.',
    '--json           Print the result as JSON.',
    '--state-dir DIR  Journal directory.',
  ],
  options: { ...COMMON_OPTIONS, ...WRITE_OPTIONS, journal: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: [],
  async run(args, io) {
    const service = makeService(args.values);
    const id = typeof args.values.journal === 'string' ? args.values.journal : service.newestPending()?.journalId;
    if (id === undefined) throw new PassthruError('REFUSED', 'No change is waiting for a confirmation.', 'See `passthru history` for what was applied and what was put back.');
    // Confirming is itself the answer: no second "Apply this plan?".
    await planAndApply(service, await service.planChange({ kind: 'confirm', journalId: id }), { ...args.values, yes: true }, io);
  },
};
