/**
 * `passthru undo`: reverse the newest applied change; with --journal ID, roll back a change a
 * crash left half-done (or reverse that applied change).
 */
import { COMMON_OPTIONS, type CliCommand } from '../core';
import { confirm, finish, makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

export const undoCommand: CliCommand = {
  name: 'undo',
  summary: 'Undo the last change (or roll back an interrupted one with --journal ID).',
  usage: 'passthru undo [--journal ID] [--dry-run] [--yes] [--json] [--root DIR] [--state-dir DIR]',
  details: [
    '--journal ID     The change to undo (see `passthru history`); default: the newest applied one.',
    '--dry-run        Print the plan; change nothing.',
    '--yes, -y        Do not ask (required without a terminal).',
    '--json           Print the plan or the result as JSON.',
    '--root DIR       Act on a host tree instead of this machine.',
    '--state-dir DIR  Journal directory.',
  ],
  options: { ...COMMON_OPTIONS, ...WRITE_OPTIONS, journal: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: [],
  async run(args, io) {
    const service = makeService(args.values);
    const id = typeof args.values.journal === 'string' ? args.values.journal : undefined;
    const interrupted = id !== undefined ? service.incomplete().find((h) => h.journalId === id) : undefined;
    if (interrupted) {
      if (args.values['dry-run']) {
        io.out(`Would roll back the interrupted change ${id}: undo its ${interrupted.steps.filter((s) => s.state !== 'pending').length} attempted step(s), newest first.\n`);
        return;
      }
      await confirm({ refusal: null }, args.values, io);
      finish(await service.rollback(interrupted.journalId), args.values.json === true, io);
      return;
    }
    if (!args.values['dry-run']) reportIncomplete(service, io);
    await planAndApply(service, await service.planUndo(id), args.values, io);
  },
};
