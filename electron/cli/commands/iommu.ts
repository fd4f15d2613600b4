/**
 * `passthru iommu status|enable|disable`: the IOMMU boot settings wizard on the command line.
 * status shows how this machine boots, each conclusion with its evidence, and what enable
 * would change; enable/disable plan the kernel arguments in the boot configuration really in
 * use, show every file's diff, the commands and the backups, then apply through the same
 * executor as the GUI (apply-boot-config). With --root DIR every file is under DIR and the
 * commands run through `chroot DIR`.
 */
import { RootFs } from '../../host/fs/root-fs';
import { detectBootSetup, type BootSetup } from '../../host/iommu/detect';
import { planIommuEnable } from '../../host/iommu/plan';
import { iommuBootStatus } from '../../host/iommu/status';
import { verifyIommu, type IommuVerification } from '#shared/iommu';
import { scanHost } from '../../host/scan';
import { usageError, COMMON_OPTIONS, resolveRoot, type CliCommand, type CliIo, type ParsedArgs } from '../command-line';
import { makeService, planAndApply, reportIncomplete, WRITE_OPTIONS } from '../change-support';

const bad = (message: string) => usageError('iommu', message);

async function status(root: string, json: boolean, io: CliIo): Promise<void> {
  const fs = new RootFs(root);
  const setup: BootSetup = detectBootSetup(fs);
  const boot = iommuBootStatus(setup);
  let verification: IommuVerification | null = null;
  let scanProblem: string | null = null;
  try {
    verification = verifyIommu(await scanHost(fs), boot);
  } catch (err) {
    scanProblem = `The host could not be scanned: ${err instanceof Error ? err.message : String(err)}`;
  }
  const enable = planIommuEnable(setup);
  if (json) {
    const { files: _files, ...detected } = setup;
    const out = {
      root,
      ...detected,
      configured: boot.configured,
      configuredArgs: boot.configuredArgs,
      verification: verification ?? { verified: null, problem: scanProblem },
      enable: {
        summary: boot.enableSummary,
        refusal: enable.refusal,
        noop: enable.noop,
        files: enable.files.map((f) => f.path),
        commands: enable.commands,
        rebootNeeded: enable.rebootNeeded,
      },
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const state = verification === null ? `unknown — ${scanProblem}` : verification.verified ? 'on, verified' : `not usable — ${verification.missing}`;
  const configured = { on: 'turns the IOMMU on', off: 'does not turn the IOMMU on', unknown: 'cannot be read by Passthru' }[boot.configured];
  io.out(
    [
      `IOMMU:      ${state}`,
      ...(verification?.items.map((i) => `  [${i.ok ? 'ok' : '--'}] ${i.title}: ${i.detail}`) ?? []),
      `Boot config: ${configured}${boot.configuredArgs.length ? ` (${boot.configuredArgs.join(' ')})` : ''}`,
      '',
      ...boot.findings.map((f) => `${`${f.label}:`.padEnd(12)}${f.value} — ${f.evidence}`),
      '',
      boot.enableSummary,
      '',
    ].join('\n'),
  );
}

async function change(action: 'enable' | 'disable', values: ParsedArgs['values'], io: CliIo): Promise<void> {
  if (action === 'disable' && (values.pt || values['early-vfio'])) throw bad('--pt and --early-vfio go with enable; disable removes every argument and module list Passthru adds.');
  const service = makeService(values);
  if (!values['dry-run']) reportIncomplete(service, io);
  const plan = await service.planChange({ kind: 'iommu', action, pt: values.pt === true, earlyVfio: values['early-vfio'] === true });
  await planAndApply(service, plan, values, io);
}

export const iommuCommand: CliCommand = {
  name: 'iommu',
  summary: 'Show how this machine boots and whether the IOMMU is on; turn it on or off in the boot configuration.',
  usage:
    'passthru iommu status [--json] [--root DIR]\n' +
    '       passthru iommu enable [--pt] [--early-vfio] [--dry-run] [--yes] [--json] [--root DIR] [--state-dir DIR]\n' +
    '       passthru iommu disable [--dry-run] [--yes] [--json] [--root DIR] [--state-dir DIR]',
  details: [
    'status             CPU, firmware, bootloader and initramfs found, each with its evidence; the',
    '                   running command line; whether the IOMMU is on; what enable would change.',
    'enable             Add intel_iommu=on (Intel) to the boot configuration really in use, through',
    '                   its own tool (update-grub, grub2-mkconfig, grubby, kernel-install, kernelstub,',
    '                   proxmox-boot-tool). Refused when the bootloader is unknown or ambiguous.',
    '  --pt             Also iommu=pt (host devices skip DMA translation; VM devices stay isolated).',
    '  --early-vfio     Also load the VFIO modules from the initramfs, and rebuild it.',
    'disable            Remove intel_iommu=on, amd_iommu=on and iommu=pt (and the early VFIO modules).',
    "--dry-run          Print the checks, every file's diff, the commands and the backups; change nothing.",
    '--yes, -y          Do not ask (required without a terminal).',
    '--json             Print the detection, the plan or the result as JSON.',
    '--root DIR         Work on the system tree DIR: files under DIR, commands through `chroot DIR`.',
    '--state-dir DIR    Journal directory (`passthru history`, `passthru undo`).',
  ],
  options: {
    ...COMMON_OPTIONS,
    ...WRITE_OPTIONS,
    pt: { type: 'boolean' },
    'early-vfio': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['ACTION'],
  actions: ['status', 'enable', 'disable'],
  async run(args, io) {
    const v = args.values;
    const action = args.positionals[0];
    if (action === 'status') {
      const extra = ['pt', 'early-vfio', 'dry-run', 'yes', 'state-dir'].find((k) => v[k] !== undefined);
      if (extra) throw bad(`--${extra} does not go with status.`);
      await status(resolveRoot(v.root), v.json === true, io);
      return;
    }
    if (action !== 'enable' && action !== 'disable') throw bad(`Unknown action ${JSON.stringify(action)}: give status, enable or disable.`);
    await change(action, v, io);
  },
};
