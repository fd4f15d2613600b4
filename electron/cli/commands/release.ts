/** `passthru release ADDRESS`: give a device back to its recorded original driver. */
import { COMMON_OPTIONS, type CliCommand } from '../command-line';
import { makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

export const releaseCommand: CliCommand = {
  name: 'release',
  summary: 'Give a device back to the driver it had before Passthru assigned it.',
  usage: 'passthru release ADDRESS [--dry-run] [--yes] [--json] [--root DIR] [--state-dir DIR]',
  details: [
    'ADDRESS          Full PCI address, e.g. 0000:01:00.0.',
    '--dry-run        Print the plan; change nothing.',
    '--yes, -y        Do not ask (required without a terminal).',
    '--json           Print the plan or the result as JSON.',
    '--root DIR       Act on a host tree instead of this machine.',
    '--state-dir DIR  Journal directory.',
  ],
  options: { ...COMMON_OPTIONS, ...WRITE_OPTIONS, 'dry-run': { type: 'boolean' } },
  positionals: ['ADDRESS'],
  async run(args, io) {
    const service = makeService(args.values);
    if (!args.values['dry-run']) reportIncomplete(service, io);
    await planAndApply(service, await service.planChange({ kind: 'release', address: args.positionals[0] ?? '' }), args.values, io);
  },
};
