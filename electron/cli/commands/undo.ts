/**
 * `passthru undo`: reverse the newest applied change; with --journal ID, that change — or roll
 * back one a crash left half-done. Either way the plan lists every step it will run, made from
 * the journaled ops, before anything happens.
 */
import { COMMON_OPTIONS, type CliCommand } from '../command-line';
import { makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

export const undoCommand: CliCommand = {
  name: 'undo',
  summary: 'Undo the last change (or roll back an interrupted one with --journal ID).',
  usage: 'passthru undo [--journal ID] [--dry-run] [--yes] [--json] [--root DIR] [--state-dir DIR]',
  details: [
    '--journal ID     The change to undo or roll back (see `passthru history`); default: the newest applied one.',
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
    if (!args.values['dry-run']) reportIncomplete(service, io, id);
    await planAndApply(service, await service.planUndo(id), args.values, io);
  },
};
