/**
 * The IOMMU planner's test roots (electron/host/iommu/testdata: real boot configuration files
 * of Debian, Ubuntu, Fedora, Arch, openSUSE, Pop!_OS, Proxmox) copied to a temp dir, with
 * files replaced or deleted (null) — so a test may change them freely.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { makeTempRoot, TreeWriter } from './fake-sysfs';

export const IOMMU_TESTDATA = path.join(__dirname, '..', 'iommu', 'testdata');

export function iommuTestRoot(family: string, files: Record<string, string | null> = {}): string {
  const root = makeTempRoot(`passthru-iommu-${family}-`);
  nodeFs.cpSync(path.join(IOMMU_TESTDATA, family), root, { recursive: true });
  const w = new TreeWriter(root);
  for (const [p, c] of Object.entries(files)) {
    if (c === null) nodeFs.rmSync(root + p, { force: true });
    else w.file(p, c);
  }
  return root;
}
