import type { HostInfo } from '#shared/model';
import type { HostFs } from '../fs/host-fs';
import { kernelRelease, modulesDir, readTrim } from './sysfs-read';

/** The modules VFIO device assignment needs, by their /sys/module names. */
export const VFIO_MODULES = ['vfio', 'vfio_pci', 'vfio_iommu_type1'] as const;

/** Matches a module path in modules.dep/modules.builtin and captures its file name stem. */
const MODULE_PATH = /(?:^|\/)([^/\s:]+)\.ko(?:\.[a-z0-9]+)?:?$/;

/**
 * Which VFIO modules are loaded and which this kernel ships (as loadable modules in
 * modules.dep or built in per modules.builtin). A loaded module obviously exists for the
 * running kernel, so it counts as available even when /lib/modules is missing.
 */
export function probeVfioModules(fs: HostFs): HostInfo['vfio'] {
  const loaded = VFIO_MODULES.filter((m) => fs.exists(`/sys/module/${m}`));
  const dir = modulesDir(fs, kernelRelease(fs));
  const shipped = new Set<string>();
  if (dir !== null) {
    for (const file of ['modules.dep', 'modules.builtin']) {
      for (const name of vfioModulesListed(fs.readText(`${dir}/${file}`))) shipped.add(name);
    }
  }
  const available = VFIO_MODULES.filter((m) => shipped.has(m) || loaded.includes(m));
  const unsafe = readTrim(fs, '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts');
  return {
    loaded: [...loaded],
    available: [...available],
    unsafeInterrupts: unsafe === null ? null : unsafe === 'Y' || unsafe === '1',
  };
}

/**
 * The answers for the texts seen last, by text: a long-lived service reads the same modules.dep
 * and modules.builtin text objects scan after scan (fs/reference-file-cache.ts), and splitting
 * a megabyte into lines is the cost of this probe.
 */
const listedIn = new Map<string, string[]>();

/** VFIO module names (underscored) listed in a modules.dep or modules.builtin text. */
export function vfioModulesListed(text: string | null): string[] {
  if (text === null) return [];
  const known = listedIn.get(text);
  if (known !== undefined) return [...known];
  const listed = listVfioModules(text);
  // Two files of one kernel at a time; a new kernel's replace them.
  if (listedIn.size >= 2) listedIn.clear();
  listedIn.set(text, listed);
  return [...listed];
}

function listVfioModules(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.includes('vfio')) continue;
    const first = line.split(/\s+/)[0] ?? '';
    const m = MODULE_PATH.exec(first);
    if (!m) continue;
    const name = (m[1] as string).replace(/-/g, '_');
    if ((VFIO_MODULES as readonly string[]).includes(name)) found.add(name);
  }
  return [...found];
}
