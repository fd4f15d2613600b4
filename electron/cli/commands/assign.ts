/** `passthru assign ADDRESS`: give a device (or its group) to vfio-pci, through a plan. */
import { COMMON_OPTIONS, type CliCommand } from '../command-line';
import { makeService, planAndApply, reportIncomplete, resolveOwner, WRITE_OPTIONS } from '../change-support';

export const assignCommand: CliCommand = {
  name: 'assign',
  summary: 'Bind a PCI device (or its IOMMU group) to vfio-pci, after showing the plan.',
  usage: 'passthru assign ADDRESS [--group] [--persist] [--dry-run] [--yes] [--force] [--json] [--root DIR] [--state-dir DIR] [--owner USER|UID]',
  details: [
    'ADDRESS          Full PCI address, e.g. 0000:01:00.0.',
    '--group          Bind every endpoint of the IOMMU group (bridges are left alone).',
    '--persist        Keep the binding across reboots (per device address).',
    '--dry-run        Print the plan (checks, steps with shell equivalents, verify, undo); change nothing.',
    '--yes, -y        Do not ask (required without a terminal).',
    '--force          Override a forceable refusal (the management NIC); you must type its name,',
    '                 or pass it with --confirm NAME.',
    '--owner USER     Give /dev/vfio/<group> to this user so qemu need not run as root.',
    '--json           Print the plan or the result as JSON.',
    '--root DIR       Act on a host tree instead of this machine (tests, the lab).',
    '--state-dir DIR  Journal directory.',
  ],
  options: {
    ...COMMON_OPTIONS,
    ...WRITE_OPTIONS,
    group: { type: 'boolean' },
    persist: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    confirm: { type: 'string' },
    owner: { type: 'string' },
  },
  positionals: ['ADDRESS'],
  async run(args, io) {
    const service = makeService(args.values, await resolveOwner(args.values.owner));
    if (!args.values['dry-run']) reportIncomplete(service, io);
    const plan = await service.planChange({
      kind: 'assign',
      address: args.positionals[0] ?? '',
      group: args.values.group === true,
      persist: args.values.persist === true,
      force: args.values.force === true,
    });
    await planAndApply(service, plan, args.values, io);
  },
};
