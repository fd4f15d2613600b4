/** `passthru snapshot DIR [--root SRC] [--json]`: capture what the probes read, for bug reports and fixtures. */
import { captureSnapshot } from '../../host/snapshot';
import { formatArgv } from '#shared/shell-quote';
import { COMMON_OPTIONS, ROOT_OPTION, resolveRoot, type CliCommand } from '../command-line';

export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  summary: 'Capture what Passthru reads from this host into DIR (attach it to a bug report).',
  usage: 'passthru snapshot DIR [--root SRC] [--json]',
  details: [
    'DIR          A new directory (Passthru creates it) or an empty one of your own; never',
    '             a link, nor under /proc, /sys or /dev. Existing files are never overwritten.',
    '--root SRC   Capture from a host tree or another snapshot instead of this machine.',
    '--json       Print the snapshot manifest as JSON.',
    '',
    'Read it back with `passthru scan --root DIR`, or Open snapshot… in the app.',
  ],
  options: { ...COMMON_OPTIONS, ...ROOT_OPTION },
  positionals: ['DIR'],
  values: { DIR: { type: 'directory-to-be' } },
  async run(args, io) {
    const source = resolveRoot(args.values.root);
    const result = await captureSnapshot(source, args.positionals[0] as string);
    if (args.values.json) {
      io.out(`${JSON.stringify({ snapshot: { dir: result.dir, manifest: result.manifest, mismatches: result.mismatches } }, null, 2)}\n`);
    } else {
      const m = result.manifest;
      io.out(
        `Snapshot of ${m.hostname ?? 'the host'} (kernel ${m.kernel ?? 'unknown'}) written to ${result.dir}: ` +
          `${m.fileCount} files, ${result.scan.devices.length} PCI devices, ${result.scan.interfaces.length} interfaces.\n` +
          `Read it back with: ${formatArgv(['passthru', 'scan', '--root', result.dir])}\n`,
      );
    }
    if (result.mismatches.length > 0) {
      io.err(`passthru: warning: the snapshot reads back differently in: ${result.mismatches.join(', ')}. ` + 'Please report this with the snapshot attached.\n');
    }
  },
};
