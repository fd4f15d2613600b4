/**
 * `npm run lab:fixtures [-- NAME...]`: boots each scenario, takes `passthru snapshot` inside
 * it and replaces e2e/fixtures/<scenario>/ with the result. These are the fixture hosts the
 * unit and GUI tests read with --root; they come from a real kernel, never written by hand.
 * Refuses to write a fixture that does not read back (on this machine) as the guest's scan.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, lstatSync } from 'node:fs';
import path from 'node:path';
import type { HostScan } from '#shared/model';
import { bootLab } from './boot';
import { repoRoot } from './initramfs';
import { SCENARIOS, findScenario } from './scenarios';
import { cliPath, passthru } from './checks/guest-facts';
import { diffScans } from './checks/compare-scan';

/** Bytes and files under a directory (symlinks counted, not followed). */
function treeSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      const sub = treeSize(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += st.size;
      files++;
    }
  }
  return { bytes, files };
}

export function fixtureDir(scenario: string): string {
  return path.join(repoRoot(), 'e2e', 'fixtures', scenario);
}

export async function makeFixtures(names: string[]): Promise<number> {
  const scenarios = names.length ? names.map(findScenario) : [...SCENARIOS];
  statSync(cliPath()); // fail early, with the path, when the CLI is not built
  let failed = 0;
  for (const scenario of scenarios) {
    const t0 = Date.now();
    process.stderr.write(`lab fixtures: booting ${scenario.name}…\n`);
    const lab = await bootLab(scenario);
    try {
      const live = JSON.parse((await lab.runOk(passthru('scan', '--json'))).stdout) as HostScan;
      await lab.runOk(passthru('snapshot', '/tmp/snapshot'));
      const captured = path.join(lab.runDir, 'snapshot');
      await lab.copyOut('/tmp/snapshot', captured);
      const readBack = JSON.parse(execFileSync(process.execPath, [cliPath(), 'scan', '--json', '--root', captured], { encoding: 'utf8', maxBuffer: 64 << 20 })) as HostScan;
      const diffs = diffScans(live, readBack, 'read back on this machine');
      if (diffs.length) {
        failed++;
        process.stderr.write(`lab fixtures: ${scenario.name}: the snapshot does not read back as the guest's scan; fixture left unchanged:\n  ${diffs.join('\n  ')}\n`);
        continue;
      }
      const dest = fixtureDir(scenario.name);
      rmSync(dest, { recursive: true, force: true });
      cpSync(captured, dest, { recursive: true, verbatimSymlinks: true });
      const { bytes, files } = treeSize(dest);
      process.stderr.write(
        `lab fixtures: ${scenario.name}: ${path.relative(repoRoot(), dest)} — ${live.devices.length} devices, ${files} files, ${(bytes / 1024).toFixed(0)} KiB (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
    } finally {
      await lab.shutdown();
    }
  }
  return failed ? 1 : 0;
}
