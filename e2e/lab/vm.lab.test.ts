/**
 * `passthru vm` against real kernels, where vfio really hands a device to qemu: inside the seed
 * guest an igb VF goes to vfio-pci and a nested qemu (TCG, started paused) gets it with
 * `-device vfio-pci`; `vm status` reads the VF (8086:10ca) from the nested guest's PCI list
 * over QMP, a fresh process finds the VM again, and while it runs the VF can be neither given
 * back nor given to a second VM. In shared-group, a VM whose device shares a non-viable group
 * is refused with the explanation before any qemu runs. Kernel-side facts (drivers, who holds
 * /dev/vfio/N, which qemu processes exist) are read with plain shell. One boot per scenario;
 * the checks run in order. LAB_SCENARIOS=seed,shared-group limits the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VmStatus } from '#shared/vm';
import type { LabHandle } from './boot';
import { guestFileExists, kernelSriov, runCli } from './checks/device-state';
import { recordTiming } from './checks/timings';
import { runs, useLab } from './checks/use-lab';

const CONFIG = '/tmp/passthru-vm-config';
const RUNTIME = '/tmp/passthru-vm-run';
const DIRS = ['--config-dir', CONFIG, '--runtime-dir', RUNTIME];

/** Pids and command lines of the guest's qemu-system processes (qemu renames its comm to passthru-NAME: argv[0] it is). */
async function guestQemus(lab: LabHandle): Promise<{ pid: number; argv: string }[]> {
  const r = await lab.run(['pgrep', '-a', '-f', '^qemu-system-']);
  if (r.code > 1) throw new Error(`pgrep failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.split(' ')[0]), argv: l.slice(l.indexOf(' ') + 1) }));
}

/** Devices' bindings as sysfs has them, in one guest round trip (kernelState reads every device: slow under TCG). */
async function bindings(lab: LabHandle, ...addresses: string[]): Promise<{ driver: string | null; override: string | null; group: string | null }[]> {
  const script = addresses.map((a) => `d=/sys/bus/pci/devices/${a}; echo "$(readlink $d/driver)|$(cat $d/driver_override)|$(readlink $d/iommu_group)"`).join('; ');
  const r = await lab.runOk(['sh', '-c', script]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [driver, override, group] = line.split('|').map((f) => f.split('/').pop() || null);
      return { driver: driver ?? null, override: override === '(null)' ? null : (override ?? null), group: group ?? null };
    });
}

/** The paths a process has open, from /proc/PID/fd (one `ls`, not a readlink per fd). */
async function openFiles(lab: LabHandle, pid: number): Promise<string[]> {
  const r = await lab.runOk(['ls', '-l', `/proc/${pid}/fd`]);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(' -> '))
    .map((l) => l.slice(l.indexOf(' -> ') + 4));
}

const errorOf = (json: unknown): { code: string; message: string; remedy: string | null } => (json as { error: { code: string; message: string; remedy: string | null } }).error;

describe.runIf(runs('seed'))('vm with a passed-through igb VF, nested in the seed host', () => {
  const lab = useLab('seed', 'vm');
  const PF = '0000:01:00.0';
  let vf = '';
  let group = '';
  let pid = 0;

  beforeAll(async () => {
    const r = await runCli(lab(), 'sriov', PF, '--vfs', '2', '--autoprobe', 'off', '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    vf = (await kernelSriov(lab(), PF)).virtfns[0]!;
    const a = await runCli(lab(), 'assign', vf, '--yes', '--json');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const [state] = await bindings(lab(), vf);
    expect(state).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    group = state!.group!;
  });

  it('creates a profile with the VF (config dir made on first use)', async () => {
    const r = await runCli(lab(), 'vm', 'create', 'lab1', '--cpus', '1', '--memory', '128', '--nic', `passthrough:${vf}`, '--display', 'none', ...DIRS, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ created: `${CONFIG}/vms/lab1.json`, profile: { nics: [{ kind: 'passthrough', address: vf }] } });
  });

  it('starts it paused under TCG: a qemu holding /dev/vfio/<group>, state prelaunch, the VF (8086:10ca) in its PCI list', async () => {
    const t0 = Date.now();
    const r = await runCli(lab(), 'vm', 'start', 'lab1', '--paused', '--accel', 'tcg', ...DIRS, '--json');
    recordTiming('vm-seed', 'nested-start', Date.now() - t0);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const qemus = await guestQemus(lab());
    expect(qemus).toHaveLength(1);
    pid = qemus[0]!.pid;
    expect(qemus[0]!.argv).toContain(`-device vfio-pci,host=${vf},id=nic0`);
    expect(await openFiles(lab(), pid)).toContain(`/dev/vfio/${group}`);
    expect((await lab().runOk(['cat', `${RUNTIME}/lab1/qemu.pid`])).stdout.trim()).toBe(String(pid));

    const s = await runCli(lab(), 'vm', 'status', 'lab1', ...DIRS, '--json');
    expect(s.code, s.stdout + s.stderr).toBe(0);
    const status = s.json as VmStatus;
    expect(status).toMatchObject({ running: true, state: 'prelaunch', pid, accel: 'tcg', notes: [] });
    expect(status.devices).toContainEqual(expect.objectContaining({ vendorId: '8086', deviceId: '10ca', qdevId: 'nic0' }));
  });

  it('vm list from a fresh process finds the running VM again', async () => {
    const r = await runCli(lab(), 'vm', 'list', ...DIRS, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toEqual([expect.objectContaining({ name: 'lab1', running: true, pid, problem: null })]);
  });

  it('refuses to give the VF back while the VM holds its group (exit 3); the VF stays on vfio-pci', async () => {
    const r = await runCli(lab(), 'release', vf, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(errorOf(r.json).message).toContain(`passthru-lab1 (pid ${pid})`);
    expect(errorOf(r.json).message).toContain(`/dev/vfio/${group}`);
    expect(await bindings(lab(), vf)).toEqual([{ driver: 'vfio-pci', override: 'vfio-pci', group }]);
  });

  it('refuses a second VM with the same VF before its qemu starts (exit 3)', async () => {
    expect((await runCli(lab(), 'vm', 'create', 'lab2', '--cpus', '1', '--memory', '128', '--nic', `passthrough:${vf}`, ...DIRS, '--json')).code).toBe(0);
    const r = await runCli(lab(), 'vm', 'start', 'lab2', '--paused', '--accel', 'tcg', ...DIRS, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(errorOf(r.json)).toMatchObject({ code: 'REFUSED', message: expect.stringContaining('VM lab1 is running with') });
    expect(errorOf(r.json).remedy).toContain('passthru vm stop lab1');
    expect((await guestQemus(lab())).map((q) => q.pid)).toEqual([pid]);
    expect(await guestFileExists(lab(), `${RUNTIME}/lab2/qemu.pid`)).toBe(false);
  });

  it('vm stop --force ends qemu and cleans its runtime files; then the VF goes back and the VFs away', async () => {
    const r = await runCli(lab(), 'vm', 'stop', 'lab1', '--force', ...DIRS, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ name: 'lab1', how: expect.stringMatching(/^(quit|sigterm|sigkill)$/) });
    expect(await guestQemus(lab())).toEqual([]);
    // The pidfile and QMP socket go; the log and serial console stay for reading.
    expect((await lab().runOk(['ls', `${RUNTIME}/lab1`])).stdout.split('\n').filter(Boolean).sort()).toEqual(['command.sh', 'qemu.log', 'serial.log']);

    const back = await runCli(lab(), 'release', vf, '--yes', '--json');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const [state] = await bindings(lab(), vf);
    expect(state!.override).toBeNull();
    expect(state!.driver).not.toBe('vfio-pci');
    const off = await runCli(lab(), 'sriov', PF, '--vfs', '0', '--autoprobe', 'on', '--yes', '--json');
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect(await kernelSriov(lab(), PF)).toEqual({ numVfs: 0, virtfns: [], autoprobe: '1', lspciVfs: 0 });
  });
});

describe.runIf(runs('shared-group'))('vm with a device in a non-viable IOMMU group', () => {
  const lab = useLab('shared-group', 'vm');
  const E1000 = '0000:02:01.0';
  const RTL = '0000:02:02.0';

  it('is refused with the explanation before qemu runs: names the rtl8139 and `assign --group` (exit 3)', async () => {
    const a = await runCli(lab(), 'assign', E1000, '--yes', '--json');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const before = await bindings(lab(), E1000, RTL);
    expect(before[0]).toMatchObject({ driver: 'vfio-pci', override: 'vfio-pci' });
    const g = before[0]!.group;
    expect(before[1]!.group).toBe(g);
    const rtlDriver = before[1]!.driver!;
    expect(rtlDriver).toMatch(/^8139(cp|too)$/);

    expect((await runCli(lab(), 'vm', 'create', 'shared', '--cpus', '1', '--memory', '128', '--nic', `passthrough:${E1000}`, ...DIRS, '--json')).code).toBe(0);
    const r = await runCli(lab(), 'vm', 'start', 'shared', '--paused', '--accel', 'tcg', ...DIRS, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const error = errorOf(r.json);
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain(`${RTL} (on ${rtlDriver})`);
    expect(error.message).toContain(`IOMMU group ${g}`);
    expect(error.remedy).toContain(`passthru assign ${E1000} --group`);
    expect(error.remedy).toContain('a group of its own');
    // Refused before qemu: no process, nothing in the runtime directory.
    expect(await guestQemus(lab())).toEqual([]);
    expect(await guestFileExists(lab(), `${RUNTIME}/shared`)).toBe(false);
    // The kernel's bindings are as they were.
    expect(await bindings(lab(), E1000, RTL)).toEqual(before);
  });
});
