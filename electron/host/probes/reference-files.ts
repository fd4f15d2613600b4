/**
 * The files a scan reads that are reference data rather than state of the host: they change
 * when a package is upgraded, not when a device or a driver does, so a long-lived service may
 * keep them between scans (fs/reference-file-cache.ts).
 */
import { PCI_IDS_PATHS } from './pci-ids';

/** The module index files of a kernel: which modules it has (dep, builtin) and what they drive (alias). */
const MODULE_INDEXES = /^\/(usr\/)?lib\/modules\/[^/]+\/modules\.(alias|dep|builtin)$/;

export function isReferenceFile(inside: string): boolean {
  return (PCI_IDS_PATHS as readonly string[]).includes(inside) || MODULE_INDEXES.test(inside);
}
