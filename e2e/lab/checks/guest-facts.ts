/**
 * Collects, in one booted lab guest, Passthru's scan and the kernel's own account of the same
 * host (lspci, sysfs, ip), so the checks can compare them without booting again.
 */
import path from 'node:path';
import type { HostScan } from '#shared/model';
import type { LabHandle } from '../boot';
import { repoRoot } from '../initramfs';
import { parseJson, parseLspciK, parseLspciVmm, parseSysfsFacts, type IpLink, type IpRoute, type LspciKEntry, type LspciVmmEntry, type SysfsFacts } from './parse-guest';

export interface GuestFacts {
  scan: HostScan;
  lspciK: Map<string, LspciKEntry>;
  lspciVmm: Map<string, LspciVmmEntry>;
  /** The same with names from pci.ids only (`-O hwdb.disable=1`), which Passthru reads. */
  lspciVmmPciIds: Map<string, LspciVmmEntry>;
  sysfs: SysfsFacts;
  routes4: IpRoute[];
  routes6: IpRoute[];
  links: IpLink[];
  /** Raw texts, for failure messages and reports. */
  raw: Record<string, string>;
}

/** The built CLI bundle (npm run build, or the lab test setup, makes it). */
export function cliPath(): string {
  return path.join(repoRoot(), 'dist', 'cli', 'passthru.cjs');
}

/** argv for `passthru ARGS...` inside a guest (node is this machine's, at the same path). */
export function passthru(...args: string[]): string[] {
  return [process.execPath, cliPath(), ...args];
}

export async function collectGuestFacts(lab: LabHandle): Promise<GuestFacts> {
  const scanRun = await lab.runOk(passthru('scan', '--json'));
  const [lspciK, lspciVmm, lspciVmmPciIds, sysfs, r4, r6, links] = [
    await lab.runOk(['lspci', '-D', '-nn', '-k']),
    await lab.runOk(['lspci', '-D', '-vmm', '-nn']),
    await lab.runOk(['lspci', '-D', '-vmm', '-nn', '-O', 'hwdb.disable=1']),
    await lab.runOk(['/bin/sh', path.join(repoRoot(), 'e2e', 'lab', 'guest', 'sysfs-facts.sh')]),
    await lab.runOk(['ip', '-j', '-4', 'route', 'show', 'default']),
    await lab.runOk(['ip', '-j', '-6', 'route', 'show', 'default']),
    await lab.runOk(['ip', '-j', 'addr', 'show']),
  ];
  return {
    scan: parseJson<HostScan>(scanRun.stdout, 'passthru scan --json'),
    lspciK: parseLspciK(lspciK.stdout),
    lspciVmm: parseLspciVmm(lspciVmm.stdout),
    lspciVmmPciIds: parseLspciVmm(lspciVmmPciIds.stdout),
    sysfs: parseSysfsFacts(sysfs.stdout),
    routes4: parseJson<IpRoute[]>(r4.stdout, 'ip -j -4 route'),
    routes6: parseJson<IpRoute[]>(r6.stdout, 'ip -j -6 route'),
    links: parseJson<IpLink[]>(links.stdout, 'ip -j addr'),
    raw: { lspciK: lspciK.stdout, lspciVmm: lspciVmm.stdout, sysfs: sysfs.stdout, scan: scanRun.stdout },
  };
}
