/**
 * A root other than `/` has a kernel only when a test injects one (otherwise its kernel steps
 * would act on this machine's). Without it, every op that acts on a kernel (sysfs, /dev,
 * modprobe, ip) is refused with ENVIRONMENT at validation, naming the exact command to run on
 * the real host, and nothing runs; commands on files run through `chroot ROOT` (once); the
 * helpers refuse too, so a new op cannot forget.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpCall } from '#shared/plan';
import { vmTapName } from '#shared/vm';
import { ChangeService } from '../changes/change-service';
import type { CommandRunner } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { persistenceFiles } from '../formats/persistence-files';
import { buildFakeHost, labHostSpec, makeTempRoot } from '../testing/fake-sysfs';
import { chownDevice, commandFor, kernelFor, runIn, write, type OpContext } from './op-context';
import { OPS } from './index';

const VF = '0000:01:10.0';
const PF = '0000:01:00.0';
const TAP = vmTapName('web', 0);

function recorder(): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (argv) => {
      calls.push([...argv]);
      return { argv: [...argv], exitCode: 0, stdout: '[]', stderr: '', durationMs: 0 };
    },
  };
}

/** Every file under root with its bytes and link targets: equal before and after means nothing changed. */
function listing(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isSymbolicLink()) out[abs] = `-> ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) walk(abs);
      else out[abs] = fs.readFileSync(abs, 'latin1');
    }
  };
  walk(root);
  return out;
}

const KERNEL_OPS: { op: OpCall; command: string }[] = [
  { op: { verb: 'set-driver-override', address: VF, driver: 'vfio-pci' }, command: `echo vfio-pci > /sys/bus/pci/devices/${VF}/driver_override` },
  { op: { verb: 'unbind', address: VF, driver: 'igbvf' }, command: `echo ${VF} > /sys/bus/pci/drivers/igbvf/unbind` },
  { op: { verb: 'probe', address: VF, expectDriver: 'vfio-pci' }, command: `echo ${VF} > /sys/bus/pci/drivers_probe` },
  { op: { verb: 'load-module', module: 'vfio-pci' }, command: 'modprobe vfio-pci' },
  { op: { verb: 'set-vfio-owner', group: 3, uid: 1000, gid: 1000 }, command: 'chown 1000:1000 /dev/vfio/3' },
  { op: { verb: 'set-sriov-numvfs', address: PF, count: 0 }, command: `echo 0 > /sys/bus/pci/devices/${PF}/sriov_numvfs` },
  { op: { verb: 'set-sriov-autoprobe', address: PF, enabled: false }, command: `echo 0 > /sys/bus/pci/devices/${PF}/sriov_drivers_autoprobe` },
  {
    op: { verb: 'set-vf', address: PF, vf: 0, settings: { mac: '02:00:00:00:00:01' } },
    command: `ip link set dev "$(ls /sys/bus/pci/devices/${PF}/net)" vf 0 mac 02:00:00:00:00:01`,
  },
  { op: { verb: 'create-tap', tap: TAP, bridge: 'br0', uid: 1000 }, command: `ip tuntap add dev ${TAP} mode tap user 1000 && ip link set dev ${TAP} master br0 up` },
  { op: { verb: 'remove-tap', tap: TAP }, command: `ip link delete dev ${TAP}` },
];

function tree(): { root: string; ctx: OpContext; calls: string[][] } {
  const root = buildFakeHost(labHostSpec());
  fs.mkdirSync(path.join(root, 'sys/class/net/br0/bridge'), { recursive: true });
  const r = recorder();
  return { root, calls: r.calls, ctx: { root, fs: new RootFs(root), runCommand: r.run, originalDrivers: ['igbvf'], persistenceFiles } };
}

describe('the kernel rule', () => {
  it('decides in one place: an injected kernel, this machine for /, none for a tree', () => {
    const writer = async () => undefined;
    expect(kernelFor('/')).toBe('live');
    expect(kernelFor('/tmp/tree')).toBe('none');
    expect(kernelFor('/tmp/tree', writer)).toBe('fake');
  });

  for (const { op, command } of KERNEL_OPS) {
    it(`${op.verb} on a tree without a kernel: ENVIRONMENT at validation, naming \`${command}\``, () => {
      const { ctx, calls } = tree();
      let err: { code?: string; message?: string } | null = null;
      try {
        OPS.validate(op, ctx);
      } catch (e) {
        err = e as { code?: string; message?: string };
      }
      expect(err).toMatchObject({ code: 'ENVIRONMENT' });
      expect(err?.message).toContain(`\`${command}\``);
      expect(err?.message).toMatch(/run it on the host the tree stands for/);
      expect(calls).toEqual([]);
    });
  }

  it('the helpers refuse too, and run nothing', async () => {
    const { ctx, root, calls } = tree();
    const before = listing(root);
    await expect(runIn(ctx, ['modprobe', 'vfio-pci'], 'kernel')).rejects.toMatchObject({ code: 'ENVIRONMENT', message: expect.stringContaining('`modprobe vfio-pci`') });
    await expect(write(ctx, `/sys/bus/pci/devices/${VF}/driver_override`, 'vfio-pci')).rejects.toMatchObject({ code: 'ENVIRONMENT' });
    expect(() => chownDevice(ctx, '/dev/vfio/3', 1000, 1000)).toThrow(expect.objectContaining({ code: 'ENVIRONMENT' }));
    expect(calls).toEqual([]);
    expect(listing(root)).toEqual(before);
  });

  it('file commands run through chroot ROOT for a tree (once), bare for /; local ones bare for any root', () => {
    const { ctx } = tree();
    expect(commandFor(ctx, ['update-grub'], 'files')).toEqual(['chroot', ctx.root, 'update-grub']);
    expect(commandFor(ctx, ['sh', '-n'], 'local')).toEqual(['sh', '-n']);
    const live: OpContext = { ...ctx, root: '/', kernel: undefined };
    expect(commandFor(live, ['update-grub'], 'files')).toEqual(['update-grub']);
    expect(commandFor(live, ['modprobe', 'vfio-pci'], 'kernel')).toEqual(['modprobe', 'vfio-pci']);
    // The injected kernel: its runner stands in for modprobe and ip, as before.
    expect(commandFor({ ...ctx, kernel: 'fake' }, ['modprobe', 'vfio-pci'], 'kernel')).toEqual(['modprobe', 'vfio-pci']);
  });
});

describe('ChangeService on a tree without a kernel', () => {
  it('assign: refused with ENVIRONMENT before anything is journaled, written or run', async () => {
    const { root, calls } = tree();
    const r = recorder();
    // No vfio-pci module in the tree: the plan starts with modprobe.
    fs.rmSync(path.join(root, 'sys/module/vfio_pci'), { recursive: true, force: true });
    const stateDir = makeTempRoot('passthru-kernel-rule-state-');
    const service = new ChangeService({ root, stateDir, runCommand: r.run, inProcess: true });
    const before = listing(root);
    const plan = await service.planChange({ kind: 'assign', address: VF, persist: true });
    await expect(service.apply(plan.id, {})).rejects.toMatchObject({ code: 'ENVIRONMENT', message: expect.stringMatching(/does not run `.+` for it/) });
    expect([...calls, ...r.calls].filter((c) => c[0] === 'modprobe' || c[0] === 'ip')).toEqual([]);
    expect(listing(root)).toEqual(before);
    expect(fs.readdirSync(stateDir)).toEqual([]);
  });
});
