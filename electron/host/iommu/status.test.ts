import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyIommu, type IommuBootStatus } from '#shared/iommu';
import type { HostScan } from '#shared/model';
import { RootFs } from '../fs/root-fs';
import { scanHost } from '../scan';
import { TreeWriter } from '../testing/fake-sysfs';
import { iommuTestRoot } from '../testing/iommu-roots';
import { detectBootSetup } from './detect';
import { planIommuEnable } from './plan';
import { GRUB_DEFAULTS, KERNEL_CMDLINE } from './paths';
import { iommuBootStatus } from './status';

const FIXTURES = path.join(__dirname, '../../../e2e/fixtures');

const host = iommuTestRoot;
const statusOf = (root: string) => iommuBootStatus(detectBootSetup(new RootFs(root)));
const scanOf = (name: string) => scanHost(new RootFs(path.join(FIXTURES, name)));

describe('iommuBootStatus', () => {
  it('Debian 12 before enabling: findings with evidence, configured off, what enable would do', () => {
    const s = statusOf(host('debian12'));
    expect(s.findings.map((f) => [f.id, f.value])).toEqual([
      ['cpu', 'Intel'],
      ['firmware', 'BIOS'],
      ['system', 'debian 12'],
      ['bootloader', 'GRUB (update-grub)'],
      ['kernel', '6.1.0-18-amd64'],
      ['initramfs', 'initramfs-tools'],
      ['running', '4 arguments'],
    ]);
    expect(s.findings.every((f) => f.evidence.length > 0 && f.ok)).toBe(true);
    expect(s).toMatchObject({ bootloader: { supported: true, label: 'GRUB (update-grub)' }, wantedArgs: ['intel_iommu=on'], configured: 'off', configuredArgs: [] });
    expect(s.enableSummary).toBe('Enabling would create /etc/default/grub.d/90-passthru-iommu.cfg (+intel_iommu=on), then run update-grub.');
  });

  it('after enabling (files written, not rebooted): configured on, with the arguments found', () => {
    const root = host('debian12');
    const plan = planIommuEnable(detectBootSetup(new RootFs(root)), { pt: true });
    for (const f of plan.files) new TreeWriter(root).file(f.path, f.after as string);
    expect(statusOf(root)).toMatchObject({ configured: 'on', configuredArgs: ['intel_iommu=on', 'iommu=pt'] });
  });

  it('an ambiguous bootloader is unknown, with the reason; the finding is marked as the blocker', () => {
    const s = statusOf(host('arch-grub', { '/boot/loader/loader.conf': 'timeout 3\n', [KERNEL_CMDLINE]: 'root=UUID=77 rw\n', '/usr/lib/modules/6.9.7-arch1-1/vmlinuz': '' }));
    expect(s.configured).toBe('unknown');
    expect(s.bootloader).toMatchObject({ supported: false, reason: expect.stringMatching(/^Both GRUB \(grub-mkconfig\) and systemd-boot \(kernel-install\) look configured/) });
    expect(s.findings.find((f) => f.id === 'bootloader')).toMatchObject({ ok: false, value: 'Not supported' });
    expect(s.enableSummary).toMatch(/^Enabling would be refused: Both/);
  });

  it('AMD needs no argument: wanted is empty and a GRUB without any argument is already "on"', () => {
    const s = statusOf(host('arch-grub'));
    expect(s.findings[0]?.value).toBe('AMD');
    expect(s).toMatchObject({ wantedArgs: [], configured: 'on' });
  });

  it('no bootloader at all: unknown', () => {
    expect(statusOf(host('debian12', { [GRUB_DEFAULTS]: null })).bootloader).toMatchObject({ supported: false, reason: expect.stringMatching(/^No bootloader/) });
  });
});

describe('verifyIommu (the overview after the reboot)', () => {
  it('the seed host (booted with intel_iommu=on, emulated VT-d with interrupt remapping) verifies', async () => {
    const v = verifyIommu(await scanOf('seed'), null);
    expect(v).toMatchObject({ verified: true, missing: null, rebootPending: false });
    expect(v.items.map((i) => [i.id, i.ok])).toEqual([
      ['cmdline', true],
      ['units', true],
      ['groups', true],
      ['interrupt-remapping', true],
    ]);
    expect(v.items[0]?.detail).toBe('/proc/cmdline has intel_iommu=on.');
    expect(v.items[1]?.detail).toBe('dmar0 registered.');
  });

  it('the no-iommu host says what is missing, and a configured boot means a pending reboot', async () => {
    const scan = await scanOf('no-iommu');
    const v = verifyIommu(scan, null);
    expect(v.verified).toBe(false);
    expect(v.items.map((i) => [i.id, i.ok])).toEqual([
      ['cmdline', false],
      ['units', false],
      ['groups', false],
      ['interrupt-remapping', false],
    ]);
    expect(v.missing).toBe('/proc/cmdline lacks intel_iommu=on. Turn the IOMMU on with the wizard, then reboot.');
    const configured: IommuBootStatus = {
      findings: [],
      bootloader: { supported: true, label: 'GRUB (update-grub)' },
      wantedArgs: ['intel_iommu=on'],
      configured: 'on',
      configuredArgs: ['intel_iommu=on'],
      enableSummary: '',
    };
    expect(verifyIommu(scan, configured)).toMatchObject({ rebootPending: true, missing: expect.stringMatching(/reboot\.$/) });
  });

  it('arguments present but no IOMMU unit points at the firmware; intel_iommu=off is named', async () => {
    const seed = await scanOf('seed');
    const noUnits: HostScan = { ...seed, host: { ...seed.host, iommu: { ...seed.host.iommu, units: [], groupCount: 0, enabled: false } } };
    expect(verifyIommu(noUnits, null).missing).toMatch(/firmware is not exposing the IOMMU/);
    const off: HostScan = { ...seed, host: { ...seed.host, cmdline: 'quiet intel_iommu=off' } };
    expect(verifyIommu(off, null).items[0]).toMatchObject({ ok: false, detail: '/proc/cmdline has intel_iommu=off, which turns the IOMMU off.' });
  });
});
