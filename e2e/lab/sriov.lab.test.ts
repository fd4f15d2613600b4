/**
 * `passthru sriov` against the real igb driver, whose behaviour and refusals only the real
 * driver shows: VF counts with the kernel agreeing at each step (sriov_numvfs, virtfn links,
 * lspci), N→M through 0, a VF on vfio-pci blocking removal, per-VF MAC/VLAN/trust read back
 * with `ip -j link show`, a driver refusing a setting (igb has no link-state control) rolled
 * back, the boot rule exercised by udev, and bad values refused with nothing written. Checks
 * run in order in one boot per scenario. LAB_SCENARIOS=seed,many-vfs limits the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyResult, Plan } from '#shared/plan';
import { guestFileExists, kernelSriov, kernelState, runCli, vfTable } from './checks/device-state';
import { runs, useLab } from './checks/use-lab';

const PF = '0000:01:00.0';
const rule = (a: string) => `/etc/udev/rules.d/91-passthru-sriov-${a}.rules`;

describe.runIf(runs('seed'))('SR-IOV on the seed igb', () => {
  const lab = useLab('seed', 'sriov');
  let pfIf = '';

  beforeAll(async () => {
    pfIf = (await lab().runOk(['ls', `/sys/bus/pci/devices/${PF}/net`])).stdout.trim();
  });

  it('starts with no VFs', async () => {
    expect(await kernelSriov(lab(), PF)).toEqual({ numVfs: 0, virtfns: [], autoprobe: '1', lspciVfs: 0 });
  });

  it('refuses bad values with exit 2 and writes nothing', async () => {
    for (const args of [
      ['--vfs', '8'],
      ['--vfs', 'x'],
      ['--vfs', '2.5'],
      ['--vf', '0', '--mac', '01:00:5e:00:00:01'],
      ['--vf', '0', '--mac', '02:00:00:00:00'],
      ['--vf', '0', '--vlan', '4096'],
    ]) {
      const r = await runCli(lab(), 'sriov', PF, ...args, '--yes', '--json');
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect((r.json as { error?: { code: string } })?.error?.code).toBe('BAD_INPUT');
    }
    expect((await runCli(lab(), 'sriov', '0000:02:00.0', '--vfs', '1', '--yes', '--json')).code).toBe(2);
    expect(await kernelSriov(lab(), PF)).toMatchObject({ numVfs: 0, virtfns: [] });
  });

  it('0 → 2 → 5 → 0, the kernel agreeing at each step; 2 → 5 goes through 0', async () => {
    for (const n of [2, 5, 0]) {
      if (n === 5) {
        const dry = (await runCli(lab(), 'sriov', PF, '--vfs', '5', '--dry-run', '--json')).json as Plan;
        expect(dry.steps.map((s) => s.op)).toEqual([
          { verb: 'set-sriov-numvfs', address: PF, count: 0 },
          { verb: 'set-sriov-numvfs', address: PF, count: 5 },
        ]);
      }
      const r = await runCli(lab(), 'sriov', PF, '--vfs', String(n), '--yes', '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const k = await kernelSriov(lab(), PF);
      expect(k.numVfs).toBe(n);
      expect(k.virtfns).toHaveLength(n);
      expect(k.lspciVfs).toBe(n);
      const state = await kernelState(lab());
      for (const vf of k.virtfns) expect(state[vf]?.driver).toBe('igbvf');
    }
  });

  it('--autoprobe off: new VFs get no host driver; undo restores the count and autoprobe', async () => {
    const r = await runCli(lab(), 'sriov', PF, '--vfs', '2', '--autoprobe', 'off', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const k = await kernelSriov(lab(), PF);
    expect(k).toMatchObject({ numVfs: 2, autoprobe: '0' });
    const state = await kernelState(lab());
    for (const vf of k.virtfns) expect(state[vf]?.driver).toBeNull();
    const u = await runCli(lab(), 'undo', '--yes', '--json');
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(await kernelSriov(lab(), PF)).toMatchObject({ numVfs: 0, autoprobe: '1' });
  });

  it('a VF on vfio-pci (through the assign flow) blocks shrinking; once given back, removal works', async () => {
    expect((await runCli(lab(), 'sriov', PF, '--vfs', '2', '--yes', '--json')).code).toBe(0);
    const [vf0] = (await kernelSriov(lab(), PF)).virtfns;
    const a = await runCli(lab(), 'assign', vf0!, '--yes', '--json');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect((await kernelState(lab()))[vf0!]?.driver).toBe('vfio-pci');
    const r = await runCli(lab(), 'sriov', PF, '--vfs', '0', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect((r.json as { error: { message: string } }).error.message).toContain(`${vf0} is on vfio-pci`);
    expect(await kernelSriov(lab(), PF)).toMatchObject({ numVfs: 2 });
    expect((await runCli(lab(), 'release', vf0!, '--yes', '--json')).code).toBe(0);
    expect((await runCli(lab(), 'sriov', PF, '--vfs', '0', '--yes', '--json')).code).toBe(0);
    expect(await kernelSriov(lab(), PF)).toMatchObject({ numVfs: 0, virtfns: [] });
  });

  it("sets a VF's MAC, VLAN/QoS, trust and spoof check, read back with ip -j link show; undo restores them", async () => {
    expect((await runCli(lab(), 'sriov', PF, '--vfs', '2', '--yes', '--json')).code).toBe(0);
    const r = await runCli(lab(), 'sriov', PF, '--vf', '1', '--mac', '02:AA:BB:CC:DD:01', '--vlan', '100', '--qos', '3', '--trust', 'on', '--spoofchk', 'off', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const vf1 = (await vfTable(lab(), pfIf)).find((v) => v.vf === 1)!;
    expect(vf1).toMatchObject({ address: '02:aa:bb:cc:dd:01', vlan_list: [{ vlan: 100, qos: 3 }], trust: true, spoofchk: false });
    expect((await vfTable(lab(), pfIf)).find((v) => v.vf === 0)).toMatchObject({ address: '00:00:00:00:00:00', trust: false, spoofchk: true });
    const u = await runCli(lab(), 'undo', '--yes', '--json');
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect((await vfTable(lab(), pfIf)).find((v) => v.vf === 1)).toMatchObject({ address: '00:00:00:00:00:00', trust: false, spoofchk: true });
    expect((await vfTable(lab(), pfIf)).find((v) => v.vf === 1)?.vlan_list?.[0]?.vlan).toBeUndefined();
  });

  it('a setting igb refuses (link state) fails with exit 4 and undoes the MAC set before it', async () => {
    const r = await runCli(lab(), 'sriov', PF, '--vf', '0', '--mac', '02:aa:bb:cc:dd:00', '--state', 'disable', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(4);
    const error = (r.json as { error: { message: string } }).error;
    expect(error.message).toMatch(/igb refused state disable for VF 0: Operation not supported/);
    expect(error.message).toContain('Every step done was undone.');
    expect((await vfTable(lab(), pfIf)).find((v) => v.vf === 0)?.address).toBe('00:00:00:00:00:00');
  });

  it('--persist writes the boot rule, which udev really applies when the PF driver binds; --vfs 0 removes it', async () => {
    const r = await runCli(lab(), 'sriov', PF, '--vfs', '3', '--autoprobe', 'off', '--persist', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const text = (await lab().runOk(['cat', rule(PF)])).stdout;
    expect(text).toContain(`KERNEL=="${PF}"`);
    expect(text).toContain('ATTR{sriov_numvfs}="3"');
    // A reboot, as far as this PF can tell: its driver goes away (taking the VFs) and binds again.
    await lab().runOk([
      'sh',
      '-c',
      `udevadm control --reload && echo ${PF} > /sys/bus/pci/drivers/igb/unbind && echo 1 > /sys/bus/pci/devices/${PF}/sriov_drivers_autoprobe && echo ${PF} > /sys/bus/pci/drivers/igb/bind && udevadm settle --timeout=60`,
    ]);
    expect(await kernelSriov(lab(), PF)).toMatchObject({ numVfs: 3, autoprobe: '0' });
    const back = await runCli(lab(), 'sriov', PF, '--vfs', '0', '--autoprobe', 'on', '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await guestFileExists(lab(), rule(PF))).toBe(false);
    expect(await kernelSriov(lab(), PF)).toEqual({ numVfs: 0, virtfns: [], autoprobe: '1', lspciVfs: 0 });
    const h = await runCli(lab(), 'history', '--json');
    expect((h.json as { entries: { kind: string }[] }).entries.filter((e) => e.kind === 'sriov').length).toBeGreaterThanOrEqual(6);
    expect((r.json as ApplyResult).ok).toBe(true);
  });
});

describe.runIf(runs('many-vfs'))('SR-IOV with four PFs of 7 VFs each', () => {
  const lab = useLab('many-vfs', 'sriov');
  const PFS = ['0000:01:00.0', '0000:02:00.0', '0000:03:00.0', '0000:04:00.0'];

  it("7 → 3 on one PF goes through 0 and leaves the other PFs' 21 VFs alone", async () => {
    const before = await kernelState(lab());
    for (const pf of PFS) expect((await kernelSriov(lab(), pf)).numVfs).toBe(7);
    const r = await runCli(lab(), 'sriov', PFS[1]!, '--vfs', '3', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await kernelSriov(lab(), PFS[1]!)).toMatchObject({ numVfs: 3 });
    for (const pf of [PFS[0]!, PFS[2]!, PFS[3]!]) {
      const k = await kernelSriov(lab(), pf);
      expect(k.numVfs).toBe(7);
      const now = await kernelState(lab());
      for (const vf of k.virtfns) expect(now[vf]).toEqual(before[vf]);
    }
    expect((await runCli(lab(), 'sriov', PFS[1]!, '--vfs', '7', '--yes', '--json')).code).toBe(0);
    expect((await kernelSriov(lab(), PFS[1]!)).numVfs).toBe(7);
  });
});
