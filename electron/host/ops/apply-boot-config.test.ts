import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpCall } from '#shared/plan';
import { ApplyEngine } from '../apply/apply-engine';
import { JournalStore } from '../apply/journal-store';
import { ChangeService } from '../changes/change-service';
import { CommandError, type CommandRunner } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { detectBootSetup } from '../iommu/detect';
import { bootConfigDigest } from '../iommu/digest';
import { planIommuEnable } from '../iommu/plan';
import { makeTempRoot, TreeWriter } from '../testing/fake-sysfs';
import { iommuTestRoot } from '../testing/iommu-roots';
import type { OpContext } from './op-context';
import { OPS } from './index';

/** Stand-ins for a real tree's tools, so `chroot DIR` could run them (fakeTools plays them). */
const TREE_TOOLS = { '/bin/sh': '', '/usr/sbin/update-grub': '', '/usr/sbin/update-initramfs': '' };

function host(files: Record<string, string> = {}, tools: Record<string, string> = TREE_TOOLS): string {
  return iommuTestRoot('debian12', { ...tools, ...files });
}

/** Every regular file under root, with its bytes (and mode), for byte-for-byte comparison. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of nodeFs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out[abs.slice(root.length)] = `${(nodeFs.statSync(abs).mode & 0o777).toString(8)} ${nodeFs.readFileSync(abs).toString('base64')}`;
    }
  };
  walk(root);
  return out;
}

/**
 * Plays the boot tools in the chroot: `sh -n` passes, update-grub writes grub.cfg's linux line
 * from the drop-ins and /etc/default/grub (roughly), update-initramfs does nothing; `fail`
 * names a tool that exits 1 with some output instead.
 */
function fakeTools(root: string, options: { fail?: string; failOnce?: boolean } = {}) {
  const calls: string[][] = [];
  let failed = false;
  const run: CommandRunner = async (argv) => {
    calls.push([...argv]);
    const [chroot, dir, tool] = argv;
    if (chroot !== 'chroot' || dir !== root) throw new Error(`not through chroot: ${argv.join(' ')}`);
    if (tool === options.fail && !(options.failOnce && failed)) {
      failed = true;
      throw new CommandError({
        argv,
        failure: 'exit',
        exitCode: 1,
        stdout: 'Generating grub configuration file ...\n',
        stderr: `/usr/sbin/grub-mkconfig: ${tool} went wrong\nline two of the error\n`,
      });
    }
    if (tool === 'update-grub') {
      const dropIns = path.join(root, 'etc/default/grub.d');
      const texts = [
        path.join(root, 'etc/default/grub'),
        ...(nodeFs.existsSync(dropIns) ? nodeFs.readdirSync(dropIns, { withFileTypes: true }) : []).filter((e) => e.name.endsWith('.cfg')).map((e) => path.join(dropIns, e.name)),
      ]
        .map((p) => nodeFs.readFileSync(p, 'utf8'))
        .join('\n');
      const args = [...texts.matchAll(/\b(intel_iommu=\w+|amd_iommu=\w+|iommu=pt)\b/g)].map((m) => m[1]);
      nodeFs.writeFileSync(path.join(root, 'boot/grub/grub.cfg'), `menuentry 'Debian' {\n\tlinux /boot/vmlinuz root=UUID=1c2d ro quiet ${args.join(' ')}\n}\n`);
    }
    return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
  };
  return { run, calls };
}

function ctxOf(root: string, run: CommandRunner): OpContext {
  return { root, fs: new RootFs(root), runCommand: run, originalDrivers: [] };
}

function enableOp(root: string, pt = false, earlyVfio = false): Extract<OpCall, { verb: 'apply-boot-config' }> {
  const plan = planIommuEnable(detectBootSetup(new RootFs(root)), { pt, earlyVfio });
  return { verb: 'apply-boot-config', intent: { action: 'enable', pt, earlyVfio }, digest: bootConfigDigest(plan) };
}

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'none';
  }
}

describe('apply-boot-config: validation', () => {
  it('refuses a malformed intent and digest, and a digest that is not of the plan the executor makes now', () => {
    const root = host();
    const ctx = ctxOf(root, fakeTools(root).run);
    const op = enableOp(root);
    expect(code(() => OPS.validate(op, ctx))).toBeNull();
    expect(code(() => OPS.validate({ ...op, digest: null }, ctx))).toBeNull();
    for (const intent of [
      null,
      {},
      { action: 'on', pt: false, earlyVfio: false },
      { action: 'enable', pt: 'yes', earlyVfio: false },
      { action: 'enable', pt: false },
      { action: 'enable', pt: false, earlyVfio: false, files: [] },
      // `only` limits a disable to Passthru's own arguments, each once.
      { action: 'enable', pt: false, earlyVfio: false, only: ['iommu=pt'] },
      { action: 'disable', pt: false, earlyVfio: false, only: ['quiet'] },
      { action: 'disable', pt: false, earlyVfio: false, only: ['iommu=pt', 'iommu=pt'] },
      { action: 'disable', pt: false, earlyVfio: false, only: 'iommu=pt' },
    ]) {
      expect(
        code(() => OPS.validate({ ...op, intent } as never, ctx)),
        JSON.stringify(intent),
      ).toBe('BAD_INPUT');
    }
    expect(code(() => OPS.validate({ ...op, digest: 'abc' }, ctx))).toBe('BAD_INPUT');
    expect(code(() => OPS.validate({ ...op, digest: '0'.repeat(64) }, ctx))).toBe('REFUSED');
    // The user saw the plan without iommu=pt; a digest never transfers to another intent.
    expect(code(() => OPS.validate({ ...op, intent: { action: 'enable', pt: true, earlyVfio: false } }, ctx))).toBe('REFUSED');
    // The host changed after the plan was shown: refused, nothing written.
    new TreeWriter(root).file('/etc/default/grub', nodeFs.readFileSync(path.join(root, 'etc/default/grub'), 'utf8').replace('"quiet"', '"quiet intel_iommu=off"'));
    expect(code(() => OPS.validate(op, ctx))).toBe('REFUSED');
  });

  it('refuses when the bootloader cannot be told apart', () => {
    const root = host();
    nodeFs.rmSync(path.join(root, 'etc/default/grub'));
    expect(code(() => OPS.validate({ verb: 'apply-boot-config', intent: { action: 'enable', pt: false, earlyVfio: false }, digest: null }, ctxOf(root, fakeTools(root).run)))).toBe(
      'REFUSED',
    );
  });
});

describe('apply-boot-config: run', () => {
  it("a tree without the tools: the files are written and checked with this machine's sh, the commands are left to the user as the plan said", async () => {
    const root = host({}, {});
    const setup = detectBootSetup(new RootFs(root));
    const plan = planIommuEnable(setup, { pt: true });
    expect(plan.manual).toEqual({ reason: expect.stringContaining(`${root} has no sh, update-grub in its PATH`), steps: [['update-grub']] });
    expect(plan.checks.find((c) => c.id === 'commands')).toMatchObject({ status: 'warn', remedy: 'Then run: update-grub.' });
    const calls: string[][] = [];
    const run: CommandRunner = async (argv) => {
      calls.push([...argv]);
      return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    };
    const ctx = ctxOf(root, run);
    const op: Extract<OpCall, { verb: 'apply-boot-config' }> = {
      verb: 'apply-boot-config',
      intent: { action: 'enable', pt: true, earlyVfio: false },
      digest: bootConfigDigest(plan),
    };
    const grubCfg = nodeFs.readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8');
    await OPS.run(op, ctx);
    // This machine's sh reads the new text on stdin: it opens no path of the tree.
    expect(calls).toEqual([['sh', '-n']]);
    expect(nodeFs.readFileSync(path.join(root, 'etc/default/grub.d/90-passthru-iommu.cfg'), 'utf8')).toContain('intel_iommu=on iommu=pt');
    // grub.cfg is the user's to regenerate: untouched, and verify does not expect it yet.
    expect(nodeFs.readFileSync(path.join(root, 'boot/grub/grub.cfg'), 'utf8')).toBe(grubCfg);
    expect(await OPS.verify(op, ctx)).toBeNull();
  });

  it('enable writes our drop-in, checks it with sh -n and runs update-grub through chroot; verify reads grub.cfg; disable restores every file', async () => {
    const root = host();
    const before = snapshot(root);
    const tools = fakeTools(root);
    const ctx = ctxOf(root, tools.run);
    const op = enableOp(root, true);
    await OPS.run(op, ctx);
    expect(tools.calls).toEqual([
      ['chroot', root, 'sh', '-n', '/etc/default/grub.d/90-passthru-iommu.cfg'],
      ['chroot', root, 'update-grub'],
    ]);
    expect(nodeFs.readFileSync(path.join(root, 'etc/default/grub.d/90-passthru-iommu.cfg'), 'utf8')).toContain('intel_iommu=on iommu=pt');
    expect(await OPS.verify(op, ctx)).toBeNull();
    // Applying again changes nothing and runs nothing.
    tools.calls.length = 0;
    await OPS.run({ ...op, digest: null }, ctx);
    expect(tools.calls).toEqual([]);

    const off: OpCall = { verb: 'apply-boot-config', intent: { action: 'disable', pt: false, earlyVfio: false }, digest: null };
    await OPS.run(off, ctx);
    expect(await OPS.verify(off, ctx)).toBeNull();
    const after = snapshot(root);
    delete after['/boot/grub/grub.cfg']; // the fake update-grub writes its own
    const expected = { ...before };
    delete expected['/boot/grub/grub.cfg'];
    expect(after).toEqual(expected);
  });

  it('edits /etc/default/grub in place with a 0600 backup, and on an update-grub failure puts every file back byte for byte', async () => {
    const odd = 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\'quiet intel_iommu=off\'\nGRUB_CMDLINE_LINUX=""\n';
    const root = host({ '/etc/default/grub': odd });
    nodeFs.chmodSync(path.join(root, 'etc/default/grub'), 0o640);
    const before = snapshot(root);
    const tools = fakeTools(root, { fail: 'update-grub', failOnce: true });
    const ctx = ctxOf(root, tools.run);
    const op = enableOp(root, true, true);
    const plan = planIommuEnable(detectBootSetup(new RootFs(root)), { pt: true, earlyVfio: true });
    expect(plan.files.map((f) => f.path)).toEqual(['/etc/default/grub', '/etc/initramfs-tools/modules']);
    expect(plan.backups.map((b) => b.backup)).toContain('/var/lib/passthru/iommu-backup/etc/default/grub');

    const err = await OPS.run(op, ctx).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; detail: string; selfRestored?: boolean },
    );
    expect(err).toMatchObject({ code: 'FAILED', selfRestored: true });
    expect(err?.message).toMatch(/update-grub failed \(exit 1\).*Every file was put back as it was and the boot configuration regenerated from it/);
    expect(err?.detail).toContain('line two of the error');
    const { '/boot/grub/grub.cfg': regenerated, ...rest } = snapshot(root);
    const { '/boot/grub/grub.cfg': _old, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    // The regenerate commands ran again on the restored files.
    expect(tools.calls.filter((c) => c[2] === 'update-grub')).toHaveLength(2);
    expect(Buffer.from(regenerated!.split(' ')[1]!, 'base64').toString()).toContain('quiet intel_iommu=off\n');

    // Succeeds once update-grub works; the backup is the original, 0600 in a 0700 directory.
    await OPS.run(op, ctx);
    const backup = path.join(root, 'var/lib/passthru/iommu-backup/etc/default/grub');
    expect(nodeFs.readFileSync(backup, 'utf8')).toBe(odd);
    expect(nodeFs.statSync(backup).mode & 0o777).toBe(0o600);
    expect(nodeFs.statSync(path.dirname(backup)).mode & 0o777).toBe(0o700);
    expect(nodeFs.statSync(path.join(root, 'etc/default/grub')).mode & 0o777).toBe(0o640);
    expect(tools.calls.slice(-3).map((c) => c.slice(2))).toEqual([['sh', '-n', '/etc/default/grub'], ['update-grub'], ['update-initramfs', '-u', '-k', 'all']].slice(-3));
  });

  it('a shell syntax error in the new file restores everything before any command runs', async () => {
    const root = host();
    const before = snapshot(root);
    const tools = fakeTools(root, { fail: 'sh' });
    await expect(OPS.run(enableOp(root), ctxOf(root, tools.run))).rejects.toMatchObject({ code: 'FAILED', message: expect.stringMatching(/syntax/) });
    expect(snapshot(root)).toEqual(before);
    expect(tools.calls.map((c) => c[2])).toEqual(['sh']);
  });

  it('through the engine: a failed apply is journaled as rolled back without running the inverse plan', async () => {
    const root = host();
    const before = snapshot(root);
    const stateDir = makeTempRoot('passthru-bootcfg-journal-');
    const tools = fakeTools(root, { fail: 'update-grub' });
    const service = new ChangeService({ root, stateDir, runCommand: tools.run, inProcess: true });
    const plan = await service.planChange({ kind: 'iommu', action: 'enable' });
    expect(plan).toMatchObject({ kind: 'iommu', target: '', devices: [], refusal: null, noop: false });
    expect(plan.steps[0]?.op).toMatchObject({
      verb: 'apply-boot-config',
      intent: { action: 'enable', pt: false, earlyVfio: false },
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(plan.steps[0]?.undo).toEqual({ verb: 'apply-boot-config', intent: { action: 'disable', pt: false, earlyVfio: false, only: ['intel_iommu=on'] }, digest: null });
    const result = await service.apply(plan.id, {});
    expect(result).toMatchObject({ ok: false, rolledBack: true, steps: [{ id: 'boot-config', state: 'undone' }] });
    expect(snapshot(root)).toEqual(before);
    expect(tools.calls.filter((c) => c[2] === 'update-grub')).toHaveLength(2); // the attempt, and again after restoring
    expect((await service.history()).entries[0]?.state).toBe('rolled-back');
  });

  it('through ChangeService: enable, history, undo', async () => {
    const root = host();
    const before = snapshot(root);
    const stateDir = makeTempRoot('passthru-bootcfg-journal-');
    const tools = fakeTools(root);
    const service = new ChangeService({ root, stateDir, runCommand: tools.run, inProcess: true });
    const plan = await service.planChange({ kind: 'iommu', action: 'enable', pt: true });
    expect((await service.apply(plan.id, {})).ok).toBe(true);
    expect((await service.planChange({ kind: 'iommu', action: 'enable', pt: true })).noop).toBe(true);
    const undo = await service.planUndo();
    expect(undo.steps.map((s) => s.op)).toEqual([
      { verb: 'apply-boot-config', intent: { action: 'disable', pt: false, earlyVfio: false, only: ['intel_iommu=on', 'iommu=pt'] }, digest: null },
    ]);
    expect((await service.apply(undo.id, {})).ok).toBe(true);
    const after = snapshot(root);
    delete after['/boot/grub/grub.cfg'];
    const expected = { ...before };
    delete expected['/boot/grub/grub.cfg'];
    expect(after).toEqual(expected);
    expect((await service.history()).entries.map((h) => h.state)).toEqual(['applied', 'undone']);
  });

  it('a stale plan (the files changed since it was shown) is refused before anything runs', async () => {
    const root = host();
    const tools = fakeTools(root);
    const service = new ChangeService({ root, stateDir: makeTempRoot('passthru-bootcfg-journal-'), runCommand: tools.run, inProcess: true });
    const plan = await service.planChange({ kind: 'iommu', action: 'enable' });
    // Someone turned it off meanwhile: the plan now would edit /etc/default/grub instead.
    new TreeWriter(root).file('/etc/default/grub', nodeFs.readFileSync(path.join(root, 'etc/default/grub'), 'utf8').replace('"quiet"', '"quiet intel_iommu=off"'));
    await expect(service.apply(plan.id, {})).rejects.toMatchObject({ code: 'REFUSED' });
    expect(tools.calls).toEqual([]);
  });

  it('engine: validates the undo of every step too', () => {
    const root = host();
    const engine = new ApplyEngine({
      store: new JournalStore(makeTempRoot('passthru-bootcfg-journal-')),
      context: { root, fs: new RootFs(root), runCommand: fakeTools(root).run },
    });
    expect(() =>
      engine.validate({ steps: [{ op: enableOp(root), undo: { verb: 'apply-boot-config', intent: { action: 'off', pt: false, earlyVfio: false }, digest: null } }] } as never),
    ).toThrow(/neither enable nor disable/);
  });
});

describe('apply-boot-config: the undo of an enable that replaced an argument', () => {
  it('systemd-boot: intel_iommu=off in /etc/kernel/cmdline becomes on, and the undo puts it back byte for byte', async () => {
    const cmdline = 'root=UUID=1c2d rw quiet intel_iommu=off  loglevel=3\n';
    const root = iommuTestRoot('arch-systemd-boot', { '/bin/sh': '', '/usr/bin/kernel-install': '', '/usr/bin/mkinitcpio': '', '/etc/kernel/cmdline': cmdline });
    // kernel-install writes the boot entries' options from /etc/kernel/cmdline; the rest does nothing here.
    const entries = path.join(root, 'boot/loader/entries');
    const run: CommandRunner = async (argv) => {
      if (argv.includes('kernel-install')) {
        const options = nodeFs.readFileSync(path.join(root, 'etc/kernel/cmdline'), 'utf8').trim();
        for (const e of nodeFs.readdirSync(entries)) {
          const file = path.join(entries, e);
          nodeFs.writeFileSync(file, nodeFs.readFileSync(file, 'utf8').replace(/^options .*$/m, `options ${options}`));
        }
      }
      return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    };
    const before = snapshot(root);
    const service = new ChangeService({ root, stateDir: makeTempRoot('passthru-bootcfg-journal-'), runCommand: run, inProcess: true });
    const plan = await service.planChange({ kind: 'iommu', action: 'enable' });
    expect(plan.steps[0]?.undo).toMatchObject({ intent: { action: 'disable', only: ['intel_iommu=on'], restore: ['intel_iommu=off'] } });
    const applied = await service.apply(plan.id, {});
    expect(applied.error).toBeNull();
    expect(nodeFs.readFileSync(path.join(root, 'etc/kernel/cmdline'), 'utf8')).toBe('root=UUID=1c2d rw quiet intel_iommu=on  loglevel=3\n');
    const undo = await service.planUndo();
    expect(undo.steps[0]?.title).toBe('Remove intel_iommu=on from the boot configuration, put intel_iommu=off back');
    expect((await service.apply(undo.id, {})).error).toBeNull();
    // /etc as it was; the entries regenerated from it; a backup of what the undo edited is kept.
    const etc = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).filter(([f]) => f.startsWith('/etc/')));
    expect(etc(snapshot(root))).toEqual(etc(before));
    for (const e of nodeFs.readdirSync(entries)) expect(nodeFs.readFileSync(path.join(entries, e), 'utf8')).toContain(`options ${cmdline.trim()}\n`);
  });
});
