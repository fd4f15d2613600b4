/**
 * A tree's owner may plant links to make a root-run op write elsewhere. So: every place an op
 * writes, under a tree whose owner put a link out of it (absolute, or a `../..` chain) at each
 * component of the path. Whatever the op does — refuse, fail, or write inside the tree — the
 * sentinel and everything else outside stay byte for byte, and nothing new appears there.
 *
 * The sysfs and /dev ops run with kernel 'live' over the tree, so the production writer (the
 * attribute opened confined, the write in a child) is the one exercised; the file ops run on a
 * plain tree, as `--root DIR` does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpCall } from '#shared/plan';
import { ChangeService } from '../changes/change-service';
import type { CommandRunner } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { persistenceFiles, sriovPersistenceFile } from '../formats/persistence-files';
import { buildFakeHost, labHostSpec, makeTempRoot } from '../testing/fake-sysfs';
import { hostileBase, outsideState, type HostileBase } from '../testing/hostile-tree';
import { IOMMU_TESTDATA } from '../testing/iommu-roots';
import type { OpContext } from './op-context';
import { OPS } from './index';

const VF = '0000:01:10.0';
const PF = '0000:01:00.0';

const open: HostileBase[] = [];
afterEach(() => {
  for (const b of open.splice(0)) b.dispose();
});

/** The lab host as a tree inside a hostile base, with the attributes a real sysfs has and the fake one leaves out. */
function labTree(): HostileBase {
  const b = hostileBase();
  open.push(b);
  buildFakeHost(labHostSpec(), b.root);
  fs.writeFileSync(path.join(b.root, 'sys/bus/pci/drivers/igbvf/unbind'), '');
  fs.writeFileSync(path.join(b.root, 'sys/bus/pci/drivers_probe'), '');
  fs.mkdirSync(path.join(b.root, 'dev/vfio'), { recursive: true });
  fs.writeFileSync(path.join(b.root, 'dev/vfio/4'), '');
  return b;
}

/** Every prefix of the path as asked and of the path its links resolve to in a clean tree. */
function positions(inside: string): string[] {
  const b = labTree();
  const host = b.root + inside;
  const real = fs.existsSync(host) ? `/${path.relative(fs.realpathSync(b.root), fs.realpathSync(host))}` : inside;
  const prefixes = (p: string) =>
    p
      .split('/')
      .filter(Boolean)
      .map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`);
  return [...new Set([...prefixes(inside), ...prefixes(real)])];
}

const refuseCommands: CommandRunner = async (argv) => {
  throw new Error(`no command may run here: ${argv.join(' ')}`);
};

function liveCtx(root: string): OpContext {
  return { root, fs: new RootFs(root), runCommand: refuseCommands, kernel: 'live', originalDrivers: ['igbvf'], persistenceFiles };
}

function treeCtx(root: string): OpContext {
  return { root, fs: new RootFs(root), runCommand: refuseCommands, originalDrivers: [], persistenceFiles };
}

async function attempt(op: OpCall, ctx: OpContext): Promise<void> {
  try {
    OPS.validate(op, ctx);
    await OPS.run(op, ctx);
  } catch {
    // Refused or failed: either is fine here; what matters is the outside.
  }
}

const KERNEL_CASES: { op: OpCall; attribute: string }[] = [
  { op: { verb: 'set-driver-override', address: VF, driver: 'vfio-pci' }, attribute: `/sys/bus/pci/devices/${VF}/driver_override` },
  { op: { verb: 'unbind', address: VF, driver: 'igbvf' }, attribute: '/sys/bus/pci/drivers/igbvf/unbind' },
  { op: { verb: 'probe', address: VF, expectDriver: 'vfio-pci' }, attribute: '/sys/bus/pci/drivers_probe' },
  { op: { verb: 'set-sriov-numvfs', address: PF, count: 0 }, attribute: `/sys/bus/pci/devices/${PF}/sriov_numvfs` },
  { op: { verb: 'set-sriov-autoprobe', address: PF, enabled: false }, attribute: `/sys/bus/pci/devices/${PF}/sriov_drivers_autoprobe` },
  { op: { verb: 'set-vfio-owner', group: 4, uid: 4321, gid: 4321 }, attribute: '/dev/vfio/4' },
];

describe('kernel ops never write outside the tree (sysfs attributes, /dev/vfio)', () => {
  for (const { op, attribute } of KERNEL_CASES) {
    it(`${op.verb} (${attribute})`, async () => {
      // The clean tree first: the op really writes there, so the hostile runs below are not
      // stopped by something else.
      const clean = labTree();
      const before = fs.lstatSync(clean.root + attribute);
      await OPS.run(op, liveCtx(clean.root));
      const after = fs.lstatSync(clean.root + attribute);
      expect(after.mtimeMs !== before.mtimeMs || after.uid !== before.uid).toBe(true);

      for (const at of positions(attribute)) {
        for (const kind of ['absolute', 'dotdot'] as const) {
          const b = labTree();
          b.linkOut(at, kind, at === attribute ? 'file' : 'dir');
          const outside = outsideState(b);
          await attempt(op, liveCtx(b.root));
          expect(outsideState(b), `${kind} link at ${at}`).toEqual(outside);
        }
      }
    }, 60_000);
  }
});

describe('file ops never write outside the tree (udev rules, modules-load.d)', () => {
  const cases: { op: OpCall; files: { path: string; content: string }[] }[] = [
    { op: { verb: 'write-persistence', address: VF, driver: 'vfio-pci' }, files: persistenceFiles(VF) },
    { op: { verb: 'remove-persistence', address: VF }, files: persistenceFiles(VF) },
    { op: { verb: 'write-sriov-persistence', address: PF, numVfs: 2, autoprobe: false }, files: [sriovPersistenceFile(PF, 2, false)] },
    { op: { verb: 'remove-sriov-persistence', address: PF }, files: [sriovPersistenceFile(PF, 2, false)] },
  ];
  for (const { op, files } of cases) {
    it(
      op.verb,
      async () => {
        for (const f of files) {
          for (const at of positions(f.path)) {
            for (const kind of ['absolute', 'dotdot'] as const) {
              const b = labTree();
              // What is to be removed is there in the tree, and its twin outside holds the same
              // bytes, so an op that followed the link would act on the outside copy. (For the
              // writes nothing is there: whatever an escaping write made would be new outside.)
              const removing = op.verb.startsWith('remove-');
              for (const g of removing ? files : []) {
                fs.mkdirSync(path.dirname(b.root + g.path), { recursive: true });
                fs.writeFileSync(b.root + g.path, g.content);
              }
              b.linkOut(at, kind, files.some((g) => g.path === at) ? 'file' : 'dir');
              for (const g of removing ? files : []) {
                const twin = b.outside + g.path;
                if (fs.existsSync(path.dirname(twin)) && !fs.lstatSync(path.dirname(twin)).isSymbolicLink()) fs.writeFileSync(twin, g.content);
              }
              const outside = outsideState(b);
              await attempt(op, treeCtx(b.root));
              expect(outsideState(b), `${kind} link at ${at}`).toEqual(outside);
            }
          }
        }
      },
      60_000,
    );
  }
});

/** Plays the boot tools through chroot: sh -n passes, update-grub writes grub.cfg, update-initramfs does nothing. */
function chrootTools(root: string): CommandRunner {
  return async (argv) => {
    if (argv[0] !== 'chroot' || argv[1] !== root) throw new Error(`not through chroot: ${argv.join(' ')}`);
    if (argv[2] === 'update-grub') fs.writeFileSync(path.join(root, 'boot/grub/grub.cfg'), "menuentry 'Debian' {\n\tlinux /boot/vmlinuz ro quiet intel_iommu=on iommu=pt\n}\n");
    return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
  };
}

function debianTree(grub: string | null): HostileBase {
  const b = hostileBase();
  open.push(b);
  fs.cpSync(path.join(IOMMU_TESTDATA, 'debian12'), b.root, { recursive: true });
  for (const tool of ['bin/sh', 'usr/sbin/update-grub', 'usr/sbin/update-initramfs']) {
    fs.mkdirSync(path.dirname(path.join(b.root, tool)), { recursive: true });
    fs.writeFileSync(path.join(b.root, tool), '');
  }
  if (grub !== null) fs.writeFileSync(path.join(b.root, 'etc/default/grub'), grub);
  return b;
}

describe('apply-boot-config never writes outside the tree (grub, its drop-in, initramfs modules, the backups)', () => {
  const ODD = 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\'quiet intel_iommu=off\'\nGRUB_CMDLINE_LINUX=""\n';
  const cases = [
    { what: 'the drop-in', grub: null, earlyVfio: false, paths: ['/etc/default/grub.d/90-passthru-iommu.cfg'] },
    {
      what: 'in-place edits and their backups',
      grub: ODD,
      earlyVfio: true,
      paths: ['/etc/default/grub', '/etc/initramfs-tools/modules', '/var/lib/passthru/iommu-backup/etc/default/grub', '/var/lib/passthru/iommu-backup/etc/initramfs-tools/modules'],
    },
  ];
  for (const c of cases) {
    it(
      c.what,
      async () => {
        const ats = [
          ...new Set(
            c.paths.flatMap((p) =>
              p
                .split('/')
                .filter(Boolean)
                .map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`),
            ),
          ),
        ];
        for (const at of ats) {
          for (const kind of ['absolute', 'dotdot'] as const) {
            const b = debianTree(c.grub);
            b.linkOut(at, kind, c.paths.includes(at) ? 'file' : 'dir');
            const outside = outsideState(b);
            const service = new ChangeService({ root: b.root, stateDir: makeTempRoot('passthru-hostile-state-'), runCommand: chrootTools(b.root), inProcess: true });
            try {
              const plan = await service.planChange({ kind: 'iommu', action: 'enable', pt: true, earlyVfio: c.earlyVfio });
              await service.apply(plan.id, {});
            } catch {
              // Refused (bad input, or no bootloader left to see): fine, as long as nothing outside changed.
            }
            expect(outsideState(b), `${kind} link at ${at}`).toEqual(outside);
          }
        }
      },
      60_000,
    );
  }

  it('a link out at the drop-in directory is refused before anything is written (BAD_INPUT, naming it)', async () => {
    const b = debianTree(null);
    b.linkOut('/etc/default/grub.d', 'dotdot');
    const service = new ChangeService({ root: b.root, stateDir: makeTempRoot('passthru-hostile-state-'), runCommand: chrootTools(b.root), inProcess: true });
    const plan = await service.planChange({ kind: 'iommu', action: 'enable' });
    await expect(service.apply(plan.id, {})).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/etc\/default\/grub\.d is a link to .*leads out of/) });
  });
});
