/** `passthru scan [--json] [--root DIR]`: the whole inventory, readable or as the HostScan JSON contract. */
import { PassthruError } from '#shared/errors';
import { RootFs } from '../../host/fs/root-fs';
import type { HostFs } from '../../host/fs/host-fs';
import { scanHost } from '../../host/scan';
import { COMMON_OPTIONS, ROOT_OPTION, resolveRoot, type CliCommand } from '../command-line';
import { formatScan } from '../format-scan';

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Show the host: readiness, PCI devices, IOMMU groups and network interfaces.',
  usage: 'passthru scan [--json] [--root DIR]',
  details: ['--json       Print one JSON object (the HostScan contract) instead of the summary.', '--root DIR   Scan a snapshot or host tree instead of this machine.'],
  options: { ...COMMON_OPTIONS, ...ROOT_OPTION },
  positionals: [],
  async run(args, io) {
    const root = resolveRoot(args.values.root);
    const fs = new RootFs(root);
    checkLooksLikeHost(fs, root);
    const scan = await scanHost(fs);
    io.out(args.values.json ? `${JSON.stringify(scan, null, 2)}\n` : formatScan(scan));
  },
};

/**
 * A root with neither /sys/bus/pci nor /sys/class/net has nothing to scan: a mistyped --root
 * is bad input; on the live host it means sysfs is not mounted.
 */
function checkLooksLikeHost(fs: HostFs, root: string): void {
  if (fs.isDirectory('/sys/bus/pci/devices') || fs.isDirectory('/sys/class/net')) return;
  if (root === '/') {
    throw new PassthruError('ENVIRONMENT', 'This system has no /sys/bus/pci or /sys/class/net to read.', 'Mount sysfs on /sys (mount -t sysfs sysfs /sys) and run the scan again.');
  }
  throw new PassthruError(
    'BAD_INPUT',
    `${root} is neither a host root nor a Passthru snapshot (it has no sys/bus/pci/devices or sys/class/net).`,
    'Point --root at a directory written by `passthru snapshot DIR`.',
  );
}
