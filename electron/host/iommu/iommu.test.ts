import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { TreeWriter } from '../testing/fake-sysfs';
import { IOMMU_TESTDATA, iommuTestRoot } from '../testing/iommu-roots';
import { applyArgEdits, lastAssignment, parseShellAssignments, planArgEdits, unsafeArgReason } from './cmdline';
import { detectBootSetup } from './detect';
import { addMarkedBlock, removeMarkedBlock } from './early-vfio';
import { planIommuDisable, planIommuEnable, type IommuPlan } from './plan';
import { backupPathFor, GRUB_DEFAULTS, GRUB_DROPIN, KERNEL_CMDLINE } from './paths';

const TESTDATA = IOMMU_TESTDATA;
const host = iommuTestRoot;
const setupOf = (root: string) => detectBootSetup(new RootFs(root));

/** What the executor will do with the files, minus commands: write afters, keep backups. */
function applyFiles(root: string, plan: IommuPlan): void {
  const w = new TreeWriter(root);
  for (const b of plan.backups) w.file(b.backup, nodeFs.readFileSync(root + b.path, 'utf8'));
  for (const f of plan.files) {
    if (f.after === null) nodeFs.rmSync(root + f.path);
    else w.file(f.path, f.after);
  }
}
const read = (root: string, p: string) => nodeFs.readFileSync(root + p, 'utf8');

describe('cmdline', () => {
  it('refuses arguments the shell could execute or split', () => {
    expect(unsafeArgReason('intel_iommu=on')).toBeNull();
    for (const bad of ['a"b', "a'b", 'a$b', 'a;b', 'a`b', 'a\\b', 'a\nb', 'a b', '']) expect(unsafeArgReason(bad)).not.toBeNull();
    expect(unsafeArgReason('x=$(reboot)')).toMatch(/\$ \(shell expansion\)/);
  });

  it('reads assignments without a shell: quotes, comments, duplicates, expansions, continuations', () => {
    const text = [
      "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'",
      'export GRUB_CMDLINE_LINUX="a b" # trailing comment',
      'GRUB_TIMEOUT=5',
      'GRUB_CMDLINE_LINUX_DEFAULT="quiet $(cat /x)"',
      'GRUB_X="one \\',
      'two"',
      'GRUB_Y="$HOME"',
      'GRUB_Z=plain; reboot',
    ].join('\n');
    const all = parseShellAssignments(text);
    expect(all.map((a) => a.name)).toEqual(['GRUB_CMDLINE_LINUX_DEFAULT', 'GRUB_CMDLINE_LINUX', 'GRUB_TIMEOUT', 'GRUB_CMDLINE_LINUX_DEFAULT', 'GRUB_X', 'GRUB_Y', 'GRUB_Z']);
    expect(all[0]).toMatchObject({ value: 'quiet splash', quote: "'" });
    expect(all[1]).toMatchObject({ value: 'a b', quote: '"', problem: null });
    expect(lastAssignment(text, 'GRUB_CMDLINE_LINUX_DEFAULT')).toMatchObject({ value: null, problem: expect.stringMatching(/\$\(\.\.\.\)/) });
    expect(all[4]?.problem).toMatch(/next line/);
    expect(all[5]?.problem).toMatch(/shell variable/);
    expect(all[6]?.problem).toMatch(/goes on after the value/);
  });

  it('adds, replaces and removes arguments idempotently, and removal gives back the bytes', () => {
    const s = 'root=/dev/sda1 ro  quiet\n';
    const add = planArgEdits(['root=/dev/sda1', 'ro', 'quiet'], { ensure: ['intel_iommu=on', 'iommu=pt'], drop: [] });
    const added = applyArgEdits(s, add);
    expect(added).toBe('root=/dev/sda1 ro  quiet intel_iommu=on iommu=pt\n');
    expect(planArgEdits(added.trim().split(/\s+/), { ensure: ['intel_iommu=on', 'iommu=pt'], drop: [] })).toEqual([]);
    expect(
      applyArgEdits(added, [
        { kind: 'remove', arg: 'iommu=pt' },
        { kind: 'remove', arg: 'intel_iommu=on' },
      ]),
    ).toBe(s);
    expect(applyArgEdits('', [{ kind: 'add', arg: 'x=1' }])).toBe('x=1');
    expect(planArgEdits(['intel_iommu=off'], { ensure: ['intel_iommu=on'], drop: [] })).toEqual([{ kind: 'replace', from: 'intel_iommu=off', to: 'intel_iommu=on' }]);
    expect(planArgEdits(['intel_iommu=on,sm_on'], { ensure: ['intel_iommu=on'], drop: [] })).toEqual([]);
  });

  it('marked blocks come off exactly, with or without a final newline', () => {
    for (const original of ['a\nb\n', 'a\nb', '']) expect(removeMarkedBlock(addMarkedBlock(original, 'vfio'))).toBe(original);
  });
});

describe('detectBootSetup', () => {
  it.each([
    ['debian12', 'GRUB (update-grub)', 'intel', 'bios', 'initramfs-tools'],
    ['ubuntu2404', 'GRUB (update-grub)', 'intel', 'uefi', 'initramfs-tools'],
    ['fedora40', 'GRUB with BLS entries (grubby)', 'intel', 'uefi', 'dracut'],
    ['arch-grub', 'GRUB (grub-mkconfig)', 'amd', 'uefi', 'mkinitcpio'],
    ['arch-systemd-boot', 'systemd-boot (kernel-install)', 'intel', 'uefi', 'mkinitcpio'],
    ['opensuse-tw', 'GRUB (grub2-mkconfig)', 'intel', 'uefi', 'dracut'],
    ['popos', 'kernelstub (systemd-boot)', 'intel', 'uefi', 'initramfs-tools'],
    ['proxmox8', 'proxmox-boot-tool (systemd-boot)', 'amd', 'uefi', 'initramfs-tools'],
  ])('%s: %s', (family, label, cpu, firmware, initramfs) => {
    const s = setupOf(path.join(TESTDATA, family));
    expect(s.boot.ok && s.boot.method.label).toBe(label);
    expect(s.boot.evidence.length).toBeGreaterThan(0);
    expect([s.cpu.value, s.firmware.value, s.initramfs.value]).toEqual([cpu, firmware, initramfs]);
    for (const f of [s.cpu, s.firmware, s.distro, s.cmdline, s.kernel, s.initramfs]) expect(f.evidence).not.toBe('');
  });

  it('knows vfio_virqfd only exists before 6.2, and finds the real grub.cfg (not the ESP stub)', () => {
    expect(setupOf(path.join(TESTDATA, 'debian12')).kernel.value.needsVfioVirqfd).toBe(true);
    expect(setupOf(path.join(TESTDATA, 'ubuntu2404')).kernel.value.needsVfioVirqfd).toBe(false);
    const suse = setupOf(path.join(TESTDATA, 'opensuse-tw'));
    expect(suse.boot.ok && suse.boot.method).toMatchObject({ regenerate: ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'], readsDropIns: false });
  });

  it('refuses an ambiguous bootloader (GRUB and systemd-boot both configured) and an unknown one', () => {
    const both = setupOf(host('arch-grub', { '/boot/loader/loader.conf': 'timeout 3\n', [KERNEL_CMDLINE]: 'root=UUID=77 rw\n', '/usr/lib/modules/6.9.7-arch1-1/vmlinuz': '' }));
    expect(both.boot).toMatchObject({ ok: false, reason: expect.stringMatching(/Both GRUB \(grub-mkconfig\) and systemd-boot/) });
    const plan = planIommuEnable(both);
    expect(plan.refusal?.message).toMatch(/Both/);
    expect(plan.files).toEqual([]);
    const none = setupOf(host('debian12', { [GRUB_DEFAULTS]: null }));
    expect(none.boot).toMatchObject({ ok: false, reason: expect.stringMatching(/No bootloader/) });
  });

  it('refuses systemd-boot with hand-written entries and no /etc/kernel/cmdline', () => {
    const root = host('arch-systemd-boot', { '/etc/machine-id': 'ffff\n' });
    expect(setupOf(root).boot).toMatchObject({ ok: false, evidence: expect.arrayContaining([expect.stringMatching(/written by hand/)]) });
  });
});

describe('planIommuEnable / planIommuDisable', () => {
  it('Debian 12: a drop-in of our own, update-grub, early VFIO with vfio_virqfd; disable deletes it all', () => {
    const root = host('debian12');
    const plan = planIommuEnable(setupOf(root), { pt: true, earlyVfio: true });
    expect(plan.refusal).toBeNull();
    expect(plan.files.map((f) => f.path)).toEqual([GRUB_DROPIN, '/etc/initramfs-tools/modules']);
    expect(plan.files[0]?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on iommu=pt"');
    expect(plan.files[0]?.unifiedDiff).toMatch(/\+\+\+ b\/etc\/default\/grub.d\/90-passthru-iommu.cfg/);
    expect(plan.files[1]?.after).toContain('vfio_pci\nvfio_virqfd\n');
    expect(plan.commands).toEqual([['update-grub'], ['update-initramfs', '-u', '-k', 'all']]);
    expect(plan.backups).toEqual([{ path: '/etc/initramfs-tools/modules', backup: backupPathFor('/etc/initramfs-tools/modules') }]);
    expect(plan.verify[0]).toMatchObject({ paths: ['/boot/grub/grub.cfg'], contains: ['intel_iommu=on', 'iommu=pt'] });
    const original = read(root, '/etc/initramfs-tools/modules');
    applyFiles(root, plan);
    expect(planIommuEnable(setupOf(root), { pt: true, earlyVfio: true })).toMatchObject({ noop: true, files: [], commands: [], rebootNeeded: true });
    const off = planIommuDisable(setupOf(root));
    expect(off.files.map((f) => [f.path, f.after === null])).toEqual([
      [GRUB_DROPIN, true],
      ['/etc/initramfs-tools/modules', false],
    ]);
    applyFiles(root, off);
    expect(nodeFs.existsSync(root + GRUB_DROPIN)).toBe(false);
    expect(read(root, '/etc/initramfs-tools/modules')).toBe(original);
  });

  it('the undo of one enable (disable with `only`) keeps what was there before, byte for byte', () => {
    // intel_iommu=on was already in /etc/default/grub; enable --pt adds only iommu=pt.
    const root = host('debian12', { [GRUB_DEFAULTS]: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"\nGRUB_CMDLINE_LINUX=""\n' });
    const original = read(root, GRUB_DEFAULTS);
    const on = planIommuEnable(setupOf(root), { pt: true });
    expect(on.argEdits).toEqual([{ kind: 'add', arg: 'iommu=pt' }]);
    applyFiles(root, on);
    // A full disable would take intel_iommu=on out of /etc/default/grub too; the undo does not.
    expect(planIommuDisable(setupOf(root)).files.map((f) => f.path)).toEqual([GRUB_DROPIN, GRUB_DEFAULTS]);
    const undo = planIommuDisable(setupOf(root), { only: ['iommu=pt'] });
    expect(undo.files.map((f) => [f.path, f.after])).toEqual([[GRUB_DROPIN, null]]);
    applyFiles(root, undo);
    expect(read(root, GRUB_DEFAULTS)).toBe(original);

    // Two enables in a row: undoing the second gives back the first one's drop-in exactly.
    const fresh = host('debian12');
    applyFiles(fresh, planIommuEnable(setupOf(fresh)));
    const first = read(fresh, GRUB_DROPIN);
    const second = planIommuEnable(setupOf(fresh), { pt: true, earlyVfio: true });
    applyFiles(fresh, second);
    const modules = '/etc/initramfs-tools/modules';
    expect(read(fresh, modules)).toContain('vfio_pci');
    const back = planIommuDisable(setupOf(fresh), { only: ['iommu=pt'], earlyVfio: true });
    applyFiles(fresh, back);
    expect(read(fresh, GRUB_DROPIN)).toBe(first);
    expect(read(fresh, modules)).toBe(nodeFs.readFileSync(path.join(TESTDATA, 'debian12', modules), 'utf8'));
  });

  it('Ubuntu 24.04: already enabled in the running kernel and config → no-op', () => {
    const root = host('ubuntu2404', { '/etc/default/grub.d/90-passthru-iommu.cfg': null });
    applyFiles(root, planIommuEnable(setupOf(root)));
    new TreeWriter(root).file('/proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz root=UUID=aa ro quiet splash intel_iommu=on\n');
    const again = planIommuEnable(setupOf(root));
    expect(again).toMatchObject({ noop: true, rebootNeeded: false });
    expect(again.checks.find((c) => c.id === 'state')?.detail).toMatch(/Nothing to do/);
  });

  it('Fedora 40: grubby commands, dracut drop-in; already-present arguments are left alone', () => {
    const plan = planIommuEnable(setupOf(host('fedora40')), { pt: true, earlyVfio: true });
    expect(plan.commands).toEqual([
      ['grubby', '--update-kernel=ALL', '--args=intel_iommu=on iommu=pt'],
      ['dracut', '--force', '--regenerate-all'],
    ]);
    expect(plan.files.map((f) => f.after)).toEqual([
      '# Written by Passthru (Enable IOMMU): load the VFIO modules early. `passthru iommu disable` removes this file.\nforce_drivers+=" vfio vfio_iommu_type1 vfio_pci "\n',
    ]);
    const entry = `/boot/loader/entries/8f1c2a3b4c5d6e7f8091a2b3c4d5e6f7-6.8.5-301.fc40.x86_64.conf`;
    const root = host('fedora40');
    new TreeWriter(root).file(entry, read(root, entry).replace('rhgb quiet', 'rhgb quiet intel_iommu=on iommu=pt'));
    expect(planIommuDisable(setupOf(root)).commands).toEqual([['grubby', '--update-kernel=ALL', '--remove-args=intel_iommu=on iommu=pt']]);
  });

  it('Arch + GRUB on AMD: nothing to do without options; iommu=pt edited in place, disable restores the bytes', () => {
    const root = host('arch-grub');
    expect(planIommuEnable(setupOf(root))).toMatchObject({ noop: true, files: [], commands: [] });
    const original = read(root, GRUB_DEFAULTS);
    const plan = planIommuEnable(setupOf(root), { pt: true });
    expect(plan.files.map((f) => f.path)).toEqual([GRUB_DEFAULTS]);
    expect(plan.files[0]?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet iommu=pt"');
    expect(plan.commands).toEqual([['grub-mkconfig', '-o', '/boot/grub/grub.cfg']]);
    expect(plan.backups).toEqual([{ path: GRUB_DEFAULTS, backup: backupPathFor(GRUB_DEFAULTS) }]);
    applyFiles(root, plan);
    nodeFs.rmSync(root + backupPathFor(GRUB_DEFAULTS));
    const off = planIommuDisable(setupOf(root));
    expect(off.files[0]?.after).toBe(original);
  });

  it('Arch + systemd-boot: /etc/kernel/cmdline created from /proc/cmdline, kernel-install, mkinitcpio drop-in', () => {
    const plan = planIommuEnable(setupOf(host('arch-systemd-boot')), { earlyVfio: true });
    expect(plan.files.map((f) => [f.path, f.before, f.after])).toEqual([
      [KERNEL_CMDLINE, null, 'root=PARTUUID=5e rw quiet intel_iommu=on\n'],
      ['/etc/mkinitcpio.conf.d/90-passthru-vfio.conf', null, expect.stringContaining('MODULES+=(vfio vfio_iommu_type1 vfio_pci)\n')],
    ]);
    expect(plan.commands).toEqual([
      ['kernel-install', 'add', '6.9.7-arch1-1', '/usr/lib/modules/6.9.7-arch1-1/vmlinuz'],
      ['mkinitcpio', '-P'],
    ]);
  });

  it('Arch with mkinitcpio but no drop-in directory: a marked block in mkinitcpio.conf that comes off exactly', () => {
    const root = host('arch-grub');
    const original = read(root, '/etc/mkinitcpio.conf');
    const plan = planIommuEnable(setupOf(root), { earlyVfio: true });
    expect(plan.files.map((f) => f.path)).toEqual(['/etc/mkinitcpio.conf']);
    applyFiles(root, plan);
    applyFiles(root, planIommuDisable(setupOf(root)));
    expect(read(root, '/etc/mkinitcpio.conf')).toBe(original);
  });

  it('openSUSE Tumbleweed: grub2-mkconfig reads no drop-ins, so /etc/default/grub is edited in place', () => {
    const root = host('opensuse-tw');
    const original = read(root, GRUB_DEFAULTS);
    const plan = planIommuEnable(setupOf(root));
    expect(plan.files.map((f) => f.path)).toEqual([GRUB_DEFAULTS]);
    expect(plan.files[0]?.unifiedDiff).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="splash=silent mitigations=auto quiet security=selinux selinux=1 intel_iommu=on"');
    expect(plan.commands).toEqual([['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg']]);
    applyFiles(root, plan);
    applyFiles(root, planIommuDisable(setupOf(root)));
    expect(read(root, GRUB_DEFAULTS)).toBe(original);
  });

  it('Pop!_OS: kernelstub options, no files', () => {
    const plan = planIommuEnable(setupOf(host('popos')), { pt: true });
    expect(plan.files).toEqual([]);
    expect(plan.commands).toEqual([
      ['kernelstub', '--add-options', 'intel_iommu=on'],
      ['kernelstub', '--add-options', 'iommu=pt'],
    ]);
  });

  it('Proxmox: /etc/kernel/cmdline edited byte for byte, proxmox-boot-tool refresh, disable gives it back', () => {
    const root = host('proxmox8');
    const plan = planIommuEnable(setupOf(root), { pt: true });
    expect(plan.files[0]).toMatchObject({ path: KERNEL_CMDLINE, after: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n' });
    expect(plan.commands).toEqual([['proxmox-boot-tool', 'refresh']]);
    applyFiles(root, plan);
    nodeFs.rmSync(root + '/var', { recursive: true });
    applyFiles(root, planIommuDisable(setupOf(root)));
    expect(read(root, KERNEL_CMDLINE)).toBe('root=ZFS=rpool/ROOT/pve-1 boot=zfs\n');
  });

  describe('odd /etc/default/grub contents (openSUSE: edited in place)', () => {
    const edit = (grub: string, options = {}) => {
      const root = host('opensuse-tw', { [GRUB_DEFAULTS]: grub });
      return { root, plan: planIommuEnable(setupOf(root), options) };
    };

    it('single quotes stay single quotes', () => {
      expect(edit("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n").plan.files[0]?.after).toBe("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash intel_iommu=on'\n");
    });

    it('duplicate keys: the last one (the one the shell keeps) is edited', () => {
      expect(edit('GRUB_CMDLINE_LINUX_DEFAULT="a"\n# again\nGRUB_CMDLINE_LINUX_DEFAULT="b" # mine\n').plan.files[0]?.after).toBe(
        'GRUB_CMDLINE_LINUX_DEFAULT="a"\n# again\nGRUB_CMDLINE_LINUX_DEFAULT="b intel_iommu=on" # mine\n',
      );
    });

    it('existing arguments anywhere count; only GRUB_CMDLINE_LINUX, or a missing key, gets a new _DEFAULT line', () => {
      expect(edit('GRUB_CMDLINE_LINUX="quiet intel_iommu=on"\n').plan.noop).toBe(true);
      expect(edit('GRUB_CMDLINE_LINUX="quiet"\n').plan.files[0]?.after).toBe('GRUB_CMDLINE_LINUX="quiet"\nGRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on"\n');
      expect(edit('GRUB_TIMEOUT=5').plan.files[0]?.after).toBe('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on"\n');
    });

    it('intel_iommu=off is replaced; disable restores it from the backup, byte for byte', () => {
      const original = 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off"\nGRUB_TIMEOUT=5\n';
      const { root, plan } = edit(original, { pt: true });
      expect(plan.files[0]?.after).toBe('GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"\nGRUB_TIMEOUT=5\n');
      expect(plan.argEdits).toEqual([
        { kind: 'replace', from: 'intel_iommu=off', to: 'intel_iommu=on' },
        { kind: 'add', arg: 'iommu=pt' },
      ]);
      applyFiles(root, plan);
      applyFiles(root, planIommuDisable(setupOf(root)));
      expect(read(root, GRUB_DEFAULTS)).toBe(original);
    });

    it('a $(...) in the value is refused, with the reason', () => {
      const { plan } = edit('GRUB_CMDLINE_LINUX_DEFAULT="quiet $(cat /etc/extra)"\n');
      expect(plan.refusal?.message).toMatch(/\$\(\.\.\.\) command substitution/);
      expect(plan.files).toEqual([]);
    });
  });

  it('Debian with intel_iommu=off: edited in place rather than overridden by a drop-in', () => {
    const root = host('debian12', { [GRUB_DEFAULTS]: 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=off"\n' });
    const plan = planIommuEnable(setupOf(root));
    expect(plan.files.map((f) => [f.path, f.after])).toEqual([[GRUB_DEFAULTS, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"\n']]);
  });
});
