import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempRoot } from '../host/testing/fake-sysfs';
import { iommuTestRoot } from '../host/testing/iommu-roots';
import { main } from './main';

const copy = (): string => iommuTestRoot('debian12');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of nodeFs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out[abs.slice(root.length)] = nodeFs.readFileSync(abs, 'latin1');
    }
  };
  walk(root);
  return out;
}

describe('passthru iommu', () => {
  it('status shows the detection with evidence and what enable would change', async () => {
    const root = copy();
    const r = await cli(['iommu', 'status', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^IOMMU: +not usable — \/proc\/cmdline lacks intel_iommu=on\. Turn the IOMMU on with the wizard, then reboot\./m);
    expect(r.out).toMatch(/^ {2}\[--\] IOMMU units \(\/sys\/class\/iommu\): \/sys\/class\/iommu is empty/m);
    expect(r.out).toMatch(/^Boot config: does not turn the IOMMU on$/m);
    expect(r.out).toMatch(/^Bootloader: GRUB \(update-grub\) — \/etc\/default\/grub exists/m);
    expect(r.out).toContain('Enabling would create /etc/default/grub.d/90-passthru-iommu.cfg (+intel_iommu=on), then run update-grub.');
    const json = JSON.parse((await cli(['iommu', 'status', '--json', '--root', root])).out) as Record<string, unknown>;
    expect(json).toMatchObject({
      cpu: { value: 'intel' },
      configured: 'off',
      verification: {
        verified: false,
        rebootPending: false,
        items: [
          { id: 'cmdline', ok: false },
          { id: 'units', ok: false },
          { id: 'groups', ok: false },
          { id: 'interrupt-remapping', ok: false },
        ],
      },
      enable: { noop: false, commands: [['update-grub']] },
    });
  });

  it('enable --dry-run prints the checks, the diff, the commands and the backups, and changes nothing', async () => {
    const root = copy();
    const before = tree(root);
    const state = makeTempRoot('passthru-cli-iommu-state-');
    const r = await cli(['iommu', 'enable', '--pt', '--early-vfio', '--dry-run', '--root', root, '--state-dir', state]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('[pass] Bootloader: GRUB (update-grub).');
    expect(r.out).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on iommu=pt"');
    expect(r.out).toContain('--- a/etc/initramfs-tools/modules');
    expect(r.out).toContain('/etc/initramfs-tools/modules /var/lib/passthru/iommu-backup/etc/initramfs-tools/modules');
    expect(r.out).toMatch(/\$ update-grub\n {2}\$ update-initramfs -u -k all/);
    const plan = JSON.parse((await cli(['iommu', 'enable', '--dry-run', '--json', '--root', root, '--state-dir', state])).out) as { kind: string; steps: { op: unknown }[] };
    expect(plan.kind).toBe('iommu');
    expect(plan.steps[0]?.op).toMatchObject({ verb: 'apply-boot-config', intent: { action: 'enable', pt: false, earlyVfio: false } });
    expect(tree(root)).toEqual(before);
    expect(nodeFs.readdirSync(state)).toEqual([]);
  });

  it('bad input is exit 2, an unknown bootloader exit 5, and nothing is written without --yes and a terminal', async () => {
    const root = copy();
    const state = makeTempRoot('passthru-cli-iommu-state-');
    expect((await cli(['iommu', 'on', '--root', root])).code).toBe(2);
    expect((await cli(['iommu'])).code).toBe(2);
    expect((await cli(['iommu', 'disable', '--pt', '--root', root, '--state-dir', state])).code).toBe(2);
    expect((await cli(['iommu', 'status', '--yes', '--root', root])).code).toBe(2);
    const before = tree(root);
    const noTty = await cli(['iommu', 'enable', '--root', root, '--state-dir', state]);
    expect(noTty.code).toBe(2);
    expect(noTty.err).toContain('Pass --yes');
    expect(tree(root)).toEqual(before);
    nodeFs.rmSync(path.join(root, 'etc/default/grub'));
    const refused = await cli(['iommu', 'enable', '--yes', '--json', '--root', root, '--state-dir', state]);
    expect(refused.code).toBe(5);
    expect(JSON.parse(refused.out)).toMatchObject({ error: { code: 'ENVIRONMENT', message: expect.stringContaining('No bootloader Passthru knows') } });
  });
});
