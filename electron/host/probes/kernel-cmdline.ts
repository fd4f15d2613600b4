/**
 * Parsing of /proc/cmdline, the way the kernel splits it (whitespace, double quotes group,
 * everything after a lone `--` belongs to init and is not a kernel parameter).
 */

/** Kernel parameters in order, quotes removed from values. */
export function kernelParams(cmdline: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let started = false;
  for (const ch of cmdline) {
    if (ch === '"') {
      inQuote = !inQuote;
      started = true;
      continue;
    }
    if (!inQuote && /\s/.test(ch)) {
      if (started) {
        if (cur === '--') return out;
        out.push(cur);
      }
      cur = '';
      started = false;
      continue;
    }
    cur += ch;
    started = true;
  }
  if (started && cur !== '--') out.push(cur);
  return out;
}

/** Parameter names that configure the IOMMU, interrupt remapping, ACS or VFIO. */
const IOMMU_PARAM = new RegExp(
  '^(' +
    [
      'intel_iommu',
      'amd_iommu',
      'amd_iommu_intr',
      'amd_iommu_dump',
      'iommu',
      'iommu\\.[a-z_]+',
      'intremap',
      'nointremap',
      'ivrs_[a-z]+',
      'pcie_acs_override',
      'pci',
      'vfio[-_]pci\\.[a-z_]+',
      'vfio[-_]iommu[-_]type1\\.[a-z_]+',
      'vfio\\.[a-z_]+',
      'rd\\.driver\\.pre',
      'modprobe\\.blacklist',
      'module_blacklist',
    ].join('|') +
    ')$',
);

/** Names of modules whose appearance in a list-valued param makes the param VFIO-related. */
const VFIO_VALUE = /(vfio|nouveau|amdgpu|radeon|nvidia|i915|igb|ixgbe|ice|mlx)/;

/**
 * The IOMMU/VFIO-related kernel arguments, e.g. `intel_iommu=on iommu=pt vfio-pci.ids=...`.
 * Generic list parameters (`pci=`, `rd.driver.pre=`, blacklists) count only when they mention
 * something passthrough users set there (`pci=noats`, `rd.driver.pre=vfio-pci`).
 */
export function iommuCmdlineArgs(params: string[]): string[] {
  return params.filter((p) => {
    const eq = p.indexOf('=');
    const name = eq === -1 ? p : p.slice(0, eq);
    const value = eq === -1 ? '' : p.slice(eq + 1);
    if (!IOMMU_PARAM.test(name)) return false;
    if (name === 'pci') return /(noats|realloc|nomsi|assign-busses)/.test(value);
    if (name === 'rd.driver.pre' || name === 'modprobe.blacklist' || name === 'module_blacklist') {
      return VFIO_VALUE.test(value);
    }
    return true;
  });
}

/** Value of the last occurrence of `name=` (the kernel honours the last one), or null. */
export function paramValue(params: string[], name: string): string | null {
  let value: string | null = null;
  for (const p of params) {
    if (p === name) value = '';
    else if (p.startsWith(`${name}=`)) value = p.slice(name.length + 1);
  }
  return value;
}
