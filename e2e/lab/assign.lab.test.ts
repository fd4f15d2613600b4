/**
 * `passthru assign` / `release` / `history` / `undo` against real kernels, since only a real
 * kernel's vfio and pci code shows what binding really does. Each scenario boots once; the
 * checks run in order in that boot because each one leaves the kernel in the state the next
 * expects (and the `--force` path, which drops the guest's network, runs last). Every verdict
 * comes from sysfs read with plain shell (checks/device-state.ts), never from passthru's own
 * report alone. LAB_SCENARIOS=seed,shared-group,no-iommu limits the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { groupOutcome, type ApplyResult, type JournalHistory, type Plan } from '#shared/plan';
import { guestFileExists, kernelState, runCli, vfioNodeOwner, type KernelDeviceState } from './checks/device-state';
import { passthru } from './checks/guest-facts';
import { runs, useLab } from './checks/use-lab';

const PF = '0000:01:00.0';
const MGMT = '0000:02:00.0';
const MODULES_LOAD = '/etc/modules-load.d/passthru-vfio.conf';
const udevRule = (address: string) => `/etc/udev/rules.d/90-passthru-${address}.rules`;
/** A uid that exists in this machine's /etc/passwd, which the guest shares. */
const OWNER_UID = 1000;

describe.runIf(runs('seed'))('assign / release on the seed host', () => {
  const lab = useLab('seed', 'assign');
  let before: Record<string, KernelDeviceState>;
  let mgmtIf = '';

  beforeAll(async () => {
    before = await kernelState(lab());
    mgmtIf = (await lab().runOk(['ls', `/sys/bus/pci/devices/${MGMT}/net`])).stdout.trim();
  });

  it('starts from the scenario as described: igb PF and e1000e management NIC', () => {
    expect(before[PF]).toMatchObject({ driver: 'igb', override: null });
    expect(before[MGMT]).toMatchObject({ driver: 'e1000e', override: null });
    expect(mgmtIf).toMatch(/^\S+$/);
  });

  it('refuses bad addresses with exit 2 and changes nothing', async () => {
    for (const bad of ['0000:01:00.0/../../etc', '0000:01:20.0', '0000:01:00.8']) {
      const r = await runCli(lab(), 'assign', bad, '--yes', '--json');
      expect(r.code, `${bad}: ${r.stdout}${r.stderr}`).toBe(2);
      expect((r.json as { error?: { code: string } })?.error?.code).toBe('BAD_INPUT');
    }
    expect(await kernelState(lab())).toEqual(before);
  });

  it('refuses to act with no terminal and no --yes (exit 2), changing nothing', async () => {
    const r = await runCli(lab(), 'assign', PF);
    expect(r.code, r.stderr).toBe(2);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('--dry-run prints the shell steps and changes nothing', async () => {
    const r = await runCli(lab(), 'assign', PF, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`/sys/bus/pci/devices/${PF}/driver_override`);
    expect(r.stdout).toContain('vfio-pci');
    const j = await runCli(lab(), 'assign', PF, '--dry-run', '--json', '--persist');
    const plan = j.json as Plan;
    expect(plan.refusal).toBeNull();
    expect(plan.devices).toEqual([PF]);
    expect(plan.steps.flatMap((s) => s.shell).join('\n')).toContain('driver_override');
    expect(await kernelState(lab())).toEqual(before);
    expect(await guestFileExists(lab(), udevRule(PF))).toBe(false);
  });

  it('assigns the igb PF: driver vfio-pci, /dev/vfio/<group> owned by --owner', async () => {
    const r = await runCli(lab(), 'assign', PF, '--yes', '--json', '--owner', String(OWNER_UID));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((r.json as ApplyResult).ok).toBe(true);
    const now = await kernelState(lab());
    expect(now[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    expect(await vfioNodeOwner(lab(), now[PF]!.group!)).toBe(OWNER_UID);
    const lspci = await lab().runOk(['lspci', '-k', '-s', PF]);
    expect(lspci.stdout).toMatch(/Kernel driver in use: vfio-pci/);
    // Nothing else moved.
    expect({ ...now, [PF]: before[PF] }).toEqual(before);
  });

  it('assigning twice is a no-op success', async () => {
    const r = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((r.json as ApplyResult).ok).toBe(true);
    expect((await kernelState(lab()))[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
  });

  it('release gives the PF back to igb and clears driver_override', async () => {
    const r = await runCli(lab(), 'release', PF, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('--persist writes the udev rule and modules-load file; release removes them', async () => {
    const r = await runCli(lab(), 'assign', PF, '--persist', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await kernelState(lab()))[PF]!.driver).toBe('vfio-pci');
    const rule = await lab().runOk(['cat', udevRule(PF)]);
    expect(rule.stdout).toContain(PF);
    expect(rule.stdout).toContain('vfio-pci');
    expect((await lab().runOk(['cat', MODULES_LOAD])).stdout).toMatch(/^vfio-pci$/m);
    const back = await runCli(lab(), 'release', PF, '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await guestFileExists(lab(), udevRule(PF))).toBe(false);
    expect(await guestFileExists(lab(), MODULES_LOAD)).toBe(false);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('history --json lists the changes; undo --yes reverses the last one', async () => {
    const a = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const h = await runCli(lab(), 'history', '--json');
    expect(h.code, h.stderr).toBe(0);
    const entries = (h.json as JournalHistory).entries;
    const mine = entries.filter((e) => e.target === PF);
    expect(mine.filter((e) => e.kind === 'assign').length).toBeGreaterThanOrEqual(3);
    expect(mine.filter((e) => e.kind === 'release').length).toBeGreaterThanOrEqual(2);
    const newest = entries.find((e) => e.journalId === (a.json as ApplyResult).journalId);
    expect(newest).toMatchObject({ kind: 'assign', target: PF, state: 'applied' });
    const u = await runCli(lab(), 'undo', '--yes', '--json');
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
    const h2 = ((await runCli(lab(), 'history', '--json')).json as JournalHistory).entries;
    expect(h2.find((e) => e.journalId === newest!.journalId)?.state).toBe('undone');
  });

  it('assigns an igb VF (8086:10ca) to vfio-pci and gives it back to igbvf', async () => {
    await lab().runOk(['sh', '-c', `echo 2 > /sys/bus/pci/devices/${PF}/sriov_numvfs`]);
    const vf = (await lab().runOk(['readlink', '-f', `/sys/bus/pci/devices/${PF}/virtfn0`])).stdout.trim().split('/').pop()!;
    expect((await lab().runOk(['cat', `/sys/bus/pci/devices/${vf}/device`])).stdout.trim()).toBe('0x10ca');
    const withVfs = await kernelState(lab());
    expect(withVfs[vf]!.driver).toBe('igbvf');
    const r = await runCli(lab(), 'assign', vf, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const now = await kernelState(lab());
    expect(now[vf]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    expect(await vfioNodeOwner(lab(), now[vf]!.group!)).not.toBeNull();
    expect(now[PF]!.driver).toBe('igb');
    const back = await runCli(lab(), 'release', vf, '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(withVfs);
    await lab().runOk(['sh', '-c', `echo 0 > /sys/bus/pci/devices/${PF}/sriov_numvfs`]);
  });

  it('release removes /dev/vfio/<group>, so an owner given earlier does not outlive the assignment', async () => {
    const a = await runCli(lab(), 'assign', PF, '--yes', '--json', '--owner', String(OWNER_UID));
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const group = (await kernelState(lab()))[PF]!.group!;
    expect(await vfioNodeOwner(lab(), group)).toBe(OWNER_UID);
    const back = await runCli(lab(), 'release', PF, '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await vfioNodeOwner(lab(), group)).toBeNull();
    const again = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await vfioNodeOwner(lab(), group)).toBe(0);
    expect((await runCli(lab(), 'release', PF, '--yes', '--json')).code).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('undo of a release puts the device back on vfio-pci; releasing again restores igb', async () => {
    expect((await runCli(lab(), 'assign', PF, '--yes', '--json')).code).toBe(0);
    const rel = await runCli(lab(), 'release', PF, '--yes', '--json');
    expect(rel.code, rel.stdout + rel.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
    const u = await runCli(lab(), 'undo', '--yes', '--json');
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect((await kernelState(lab()))[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    const h = ((await runCli(lab(), 'history', '--json')).json as JournalHistory).entries;
    expect(h.find((e) => e.journalId === (rel.json as ApplyResult).journalId)?.state).toBe('undone');
    expect((await runCli(lab(), 'release', PF, '--yes', '--json')).code).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('a device bound to vfio-pci by hand (no journal record) is given back to the driver the kernel picks', async () => {
    await lab().runOk([
      'sh',
      '-c',
      [
        'modprobe vfio-pci',
        `echo ${PF} > /sys/bus/pci/drivers/igb/unbind`,
        `echo vfio-pci > /sys/bus/pci/devices/${PF}/driver_override`,
        `echo ${PF} > /sys/bus/pci/drivers_probe`,
      ].join(' && '),
    ]);
    expect((await kernelState(lab()))[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    // A journal that never saw this device, as after binding it by hand or with another tool.
    const fresh = ['--state-dir', '/tmp/passthru-no-record'];
    const plan = (await runCli(lab(), 'release', PF, '--dry-run', '--json', ...fresh)).json as Plan;
    expect(plan.checks.find((c) => c.id === 'original-driver')).toMatchObject({ status: 'warn', detail: expect.stringContaining('most likely igb') });
    const r = await runCli(lab(), 'release', PF, '--yes', '--json', ...fresh);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('refuses the PF while it has VFs enabled (exit 3), and its VFs survive', async () => {
    await lab().runOk(['sh', '-c', `echo 2 > /sys/bus/pci/devices/${PF}/sriov_numvfs`]);
    const withVfs = await kernelState(lab());
    const r = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const error = (r.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain('2 VFs enabled');
    expect(await kernelState(lab())).toEqual(withVfs);
    expect((await lab().runOk(['cat', `/sys/bus/pci/devices/${PF}/sriov_numvfs`])).stdout.trim()).toBe('2');
    await lab().runOk(['sh', '-c', `echo 0 > /sys/bus/pci/devices/${PF}/sriov_numvfs`]);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('a real failure mid-plan (read-only /etc/udev/rules.d) exits 4 and undoes every done step', async () => {
    // A read-only tmpfs over the rules directory: the persistence write fails with EROFS
    // after the device is already on vfio-pci and its /dev/vfio node was chowned.
    await lab().runOk(['mount', '-t', 'tmpfs', '-o', 'ro', 'passthru-ro', '/etc/udev/rules.d']);
    try {
      const r = await runCli(lab(), 'assign', PF, '--persist', '--owner', String(OWNER_UID), '--yes', '--json');
      expect(r.code, r.stdout + r.stderr).toBe(4);
      const error = (r.json as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('FAILED');
      expect(error.message).toMatch(/persist-0000:01:00\.0/);
      expect(error.message).toMatch(/read-only|EROFS/i);
      expect(error.message).toContain('Every step done was undone.');
      expect(await kernelState(lab())).toEqual(before);
      expect(await vfioNodeOwner(lab(), before[PF]!.group!)).toBeNull();
      const h = ((await runCli(lab(), 'history', '--json')).json as JournalHistory).entries;
      expect(h[0]).toMatchObject({ kind: 'assign', target: PF, state: 'rolled-back' });
    } finally {
      await lab().runOk(['umount', '/etc/udev/rules.d']);
    }
    expect(await guestFileExists(lab(), udevRule(PF))).toBe(false);
    expect(await guestFileExists(lab(), MODULES_LOAD)).toBe(false);
  });

  it('on a terminal it asks: "n" changes nothing, "y" applies', async () => {
    // script(1) gives the CLI a pseudo-terminal; what we pipe in is typed at the prompt.
    const onTty = (answer: string) =>
      lab().run(
        [
          'script',
          '-qec',
          passthru('assign', PF)
            .map((a) => `'${a}'`)
            .join(' '),
          '/dev/null',
        ],
        { stdin: `${answer}\n` },
      );
    const no = await onTty('n');
    expect(no.stdout).toContain('Apply this plan? [y/N]');
    expect(no.code, no.stdout).toBe(2);
    expect(await kernelState(lab())).toEqual(before);
    const yes = await onTty('y');
    expect(yes.code, yes.stdout).toBe(0);
    expect((await kernelState(lab()))[PF]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    expect((await runCli(lab(), 'release', PF, '--yes', '--json')).code).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('refuses to give back a device whose /dev/vfio group a process holds open (a running VM), exit 3', async () => {
    expect((await runCli(lab(), 'assign', PF, '--yes', '--json')).code).toBe(0);
    const group = (await kernelState(lab()))[PF]!.group!;
    // Stands in for qemu: a process with /dev/vfio/<group> open, as a VM has.
    const holder = await lab().runOk(['sh', '-c', `sleep 600 < /dev/vfio/${group} > /dev/null 2>&1 & echo $!`]);
    const pid = holder.stdout.trim();
    try {
      const r = await runCli(lab(), 'release', PF, '--yes', '--json');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect((r.json as { error: { message: string } }).error.message).toContain(`sleep (pid ${pid})`);
      expect((await kernelState(lab()))[PF]).toMatchObject({ driver: 'vfio-pci' });
    } finally {
      await lab().run(['kill', pid]);
    }
    await lab().runOk(['sh', '-c', `while kill -0 ${pid} 2>/dev/null; do sleep 0.2; done`]);
    expect((await runCli(lab(), 'release', PF, '--yes', '--json')).code).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it("refuses the controller of the guest's root filesystem (virtio-9p at 00:10.0), even with --force", async () => {
    const ROOT_9P = '0000:00:10.0';
    expect(before[ROOT_9P]?.driver).toBe('virtio-pci');
    for (const extra of [[], ['--force']]) {
      const r = await runCli(lab(), 'assign', ROOT_9P, '--yes', '--json', ...extra);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      const error = (r.json as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('REFUSED');
      expect(error.message).toContain('mounted at /lab/lower');
    }
    expect(await kernelState(lab())).toEqual(before);
  });

  it('refuses the management NIC (exit 3): still on e1000e with its address and route', async () => {
    const r = await runCli(lab(), 'assign', MGMT, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect((r.json as { error?: { code: string; message: string } }).error?.code).toBe('REFUSED');
    const forcedNoName = await runCli(lab(), 'assign', MGMT, '--yes', '--force', '--json');
    expect(forcedNoName.code, forcedNoName.stdout + forcedNoName.stderr).not.toBe(0);
    expect((await kernelState(lab()))[MGMT]).toEqual(before[MGMT]);
    expect((await lab().runOk(['ip', '-4', 'addr', 'show', 'dev', mgmtIf])).stdout).toContain('10.0.2.15/24');
    expect((await lab().runOk(['ip', '-4', 'route', 'show', 'default'])).stdout).toContain(`dev ${mgmtIf}`);
    expect((await lab().runOk(['ip', '-6', 'route', 'show', 'default'])).stdout).toContain(`dev ${mgmtIf}`);
  });

  // Last: taking the management NIC drops the guest's network (nothing in the lab uses it).
  it('--force with the interface name confirmed takes the management NIC; release gives it back', async () => {
    const wrong = await runCli(lab(), 'assign', MGMT, '--yes', '--force', '--confirm', 'not-it', '--json');
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(3);
    expect((await kernelState(lab()))[MGMT]).toEqual(before[MGMT]);
    const r = await runCli(lab(), 'assign', MGMT, '--yes', '--force', '--confirm', mgmtIf, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await kernelState(lab()))[MGMT]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    const back = await runCli(lab(), 'release', MGMT, '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });
});

describe.runIf(runs('shared-group'))('assign in a shared IOMMU group', () => {
  const lab = useLab('shared-group', 'assign');
  const E1000 = '0000:02:01.0';
  const RTL = '0000:02:02.0';
  const BRIDGE = '0000:01:00.0';
  let before: Record<string, KernelDeviceState>;

  beforeAll(async () => {
    before = await kernelState(lab());
  });

  it('starts with e1000, rtl8139 and the pcie-pci-bridge in one group', () => {
    expect(before[E1000]!.driver).toBe('e1000');
    expect(before[RTL]!.driver).toMatch(/^8139(cp|too)$/);
    expect(before[RTL]!.group).toBe(before[E1000]!.group);
    expect(before[BRIDGE]!.group).toBe(before[E1000]!.group);
  });

  it('refuses the pcie-pci-bridge (exit 3), even with --force; nothing changes', async () => {
    for (const extra of [[], ['--force'], ['--group']]) {
      const r = await runCli(lab(), 'assign', BRIDGE, '--yes', '--json', ...extra);
      expect(r.code, `${extra.join(' ')}: ${r.stdout}${r.stderr}`).toBe(3);
      expect((r.json as { error: { message: string } }).error.message).toContain('is a bridge');
    }
    expect(await kernelState(lab())).toEqual(before);
  });

  it('one member alone leaves the group non-viable and says the rtl8139 remains', async () => {
    const dry = await runCli(lab(), 'assign', E1000, '--dry-run', '--json');
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    const plan = dry.json as Plan;
    expect(plan.devices).toEqual([E1000]);
    expect(groupOutcome(plan)?.groupViable).toBe(false);
    expect(groupOutcome(plan)?.remainingBlockers).toEqual([{ address: RTL, driver: before[RTL]!.driver }]);
    const r = await runCli(lab(), 'assign', E1000, '--yes');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(RTL);
    const now = await kernelState(lab());
    expect(now[E1000]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    expect(now[RTL]).toEqual(before[RTL]);
    const back = await runCli(lab(), 'release', E1000, '--yes');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await kernelState(lab())).toEqual(before);
  });

  it('--group binds both endpoints (bridge left alone); release gives each back', async () => {
    const r = await runCli(lab(), 'assign', E1000, '--group', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const now = await kernelState(lab());
    expect(now[E1000]!.driver).toBe('vfio-pci');
    expect(now[RTL]!.driver).toBe('vfio-pci');
    expect(now[BRIDGE]).toEqual(before[BRIDGE]);
    expect(await vfioNodeOwner(lab(), now[E1000]!.group!)).not.toBeNull();
    for (const a of [E1000, RTL]) {
      const back = await runCli(lab(), 'release', a, '--yes', '--json');
      expect(back.code, `${a}: ${back.stdout}${back.stderr}`).toBe(0);
    }
    expect(await kernelState(lab())).toEqual(before);
  });
});

describe.runIf(runs('no-iommu'))('assign without an IOMMU', () => {
  const lab = useLab('no-iommu', 'assign');

  it('refuses with exit 5 (environment) and changes nothing', async () => {
    const before = await kernelState(lab());
    expect(before[PF]!.driver).toBe('igb');
    const r = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect((r.json as { error?: { code: string } }).error?.code).toBe('ENVIRONMENT');
    expect(await kernelState(lab())).toEqual(before);
    expect((await lab().run(['ls', '/dev/vfio'])).stdout.trim()).toMatch(/^(vfio)?$/);
  });
});
