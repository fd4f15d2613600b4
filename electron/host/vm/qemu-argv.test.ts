import { describe, expect, it } from 'vitest';
import { derivedVmMac, vmProfileSchema, vmTapName, type VmProfile } from '#shared/vm';
import { buildQemuArgv, qemuEscape, qemuShellLine, type VmRuntimePaths } from './qemu-argv';

const paths: VmRuntimePaths = {
  dir: '/run/p/vm1',
  pidFile: '/run/p/vm1/qemu.pid',
  qmpSocket: '/run/p/vm1/qmp.sock',
  logFile: '/run/p/vm1/qemu.log',
  serialLog: '/run/p/vm1/serial.log',
};

function profile(over: Partial<VmProfile> = {}): VmProfile {
  return vmProfileSchema.parse({
    name: 'vm1',
    cpus: 2,
    memoryMiB: 1024,
    firmware: 'seabios',
    machine: 'q35',
    disks: [],
    iso: null,
    display: 'none',
    nics: [],
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  });
}

/** The value following each occurrence of `flag`. */
function after(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));
}

describe('buildQemuArgv', () => {
  it('builds the base machine with QMP, pidfile, log and daemonize', () => {
    const { argv, notes } = buildQemuArgv({ profile: profile(), paths, accel: 'kvm', firmware: null });
    expect(argv[0]).toBe('qemu-system-x86_64');
    expect(after(argv, '-machine')).toEqual(['q35,accel=kvm']);
    expect(after(argv, '-cpu')).toEqual(['host']);
    expect(after(argv, '-smp')).toEqual(['2']);
    expect(after(argv, '-m')).toEqual(['1024']);
    expect(after(argv, '-qmp')).toEqual(['unix:/run/p/vm1/qmp.sock,server=on,wait=off']);
    expect(after(argv, '-pidfile')).toEqual([paths.pidFile]);
    expect(after(argv, '-D')).toEqual([paths.logFile]);
    expect(argv).toContain('-nodefaults');
    expect(argv).toContain('-daemonize');
    expect(argv).not.toContain('-S');
    expect(after(argv, '-display')).toEqual(['none']);
    expect(notes).toContain('The VM has no network card.');
  });

  it('says plainly when it falls back to TCG', () => {
    const { argv, notes } = buildQemuArgv({ profile: profile(), paths, accel: 'tcg', firmware: null, paused: true });
    expect(after(argv, '-machine')).toEqual(['q35,accel=tcg']);
    expect(argv).not.toContain('-cpu');
    expect(argv).toContain('-S');
    expect(notes.join(' ')).toMatch(/KVM is not usable.*TCG/);
  });

  it('keeps hostile disk paths one intact value: commas doubled, leading dash inside filename=', () => {
    const p = profile({
      disks: [
        { path: '/d/a,b.qcow2', format: 'qcow2' },
        { path: '/d/-x', format: 'raw' },
        { path: '/d/with space,and,drive=evil', format: 'raw' },
      ],
    });
    const { argv } = buildQemuArgv({ profile: p, paths, accel: 'kvm', firmware: null });
    const blockdevs = after(argv, '-blockdev');
    expect(blockdevs).toContain('driver=file,filename=/d/a,,b.qcow2,node-name=disk0-file');
    expect(blockdevs).toContain('driver=qcow2,file=disk0-file,node-name=disk0');
    expect(blockdevs).toContain('driver=file,filename=/d/-x,node-name=disk1-file');
    expect(blockdevs).toContain('driver=file,filename=/d/with space,,and,,drive=evil,node-name=disk2-file');
    expect(argv.some((a) => a.startsWith('-x') || a === '/d/-x')).toBe(false);
    expect(after(argv, '-device').filter((d) => d.startsWith('virtio-blk-pci'))).toHaveLength(3);
  });

  it('escapes commas by doubling only', () => {
    expect(qemuEscape('a,b,,c')).toBe('a,,b,,,,c');
    expect(qemuEscape('-x')).toBe('-x');
  });

  it('adds the ISO as a read-only cdrom that boots first', () => {
    const { argv } = buildQemuArgv({ profile: profile({ iso: '/iso/inst,1.iso' }), paths, accel: 'kvm', firmware: null });
    expect(after(argv, '-blockdev')).toContain('driver=file,filename=/iso/inst,,1.iso,node-name=cd0-file,read-only=on');
    expect(after(argv, '-device')).toContain('ide-cd,drive=cd0,bus=ide.0,id=cd0,bootindex=0');
  });

  it('builds every NIC kind with deterministic MACs', () => {
    const p = profile({ nics: [{ kind: 'passthrough', address: '0000:01:10.0' }, { kind: 'bridge', bridge: 'br0' }, { kind: 'nat' }, { kind: 'nat', mac: '02:11:22:33:44:55' }] });
    const { argv, taps } = buildQemuArgv({ profile: p, paths, accel: 'kvm', firmware: null });
    const devices = after(argv, '-device');
    const netdevs = after(argv, '-netdev');
    expect(devices).toContain('vfio-pci,host=0000:01:10.0,id=nic0');
    const tap = vmTapName('vm1', 1);
    expect(tap.length).toBeLessThanOrEqual(15);
    expect(taps).toEqual([{ index: 1, tap, bridge: 'br0' }]);
    expect(netdevs).toContain(`tap,id=net1,ifname=${tap},script=no,downscript=no`);
    expect(devices).toContain(`virtio-net-pci,netdev=net1,mac=${derivedVmMac('vm1', 1)},id=nic1`);
    expect(netdevs).toContain('user,id=net2');
    expect(devices).toContain(`virtio-net-pci,netdev=net2,mac=${derivedVmMac('vm1', 2)},id=nic2`);
    expect(devices).toContain('virtio-net-pci,netdev=net3,mac=02:11:22:33:44:55,id=nic3');
    expect(buildQemuArgv({ profile: p, paths, accel: 'kvm', firmware: null, restrictNat: true }).argv).toContain('user,id=net2,restrict=on');
  });

  it('derives stable, locally administered, distinct MACs and tap names', () => {
    const a = derivedVmMac('vm1', 0);
    expect(a).toBe(derivedVmMac('vm1', 0));
    expect(a).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(new Set([a, derivedVmMac('vm1', 1), derivedVmMac('vm2', 0)]).size).toBe(3);
    expect(vmTapName('a'.repeat(63), 15).length).toBeLessThanOrEqual(15);
    expect(vmTapName('longname-1', 0)).not.toBe(vmTapName('longname-2', 0));
  });

  it('wires OVMF through pflash block nodes', () => {
    const { argv } = buildQemuArgv({
      profile: profile({ firmware: 'ovmf' }),
      paths,
      accel: 'kvm',
      firmware: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/cfg/vms/vm1.efivars.fd' },
    });
    expect(after(argv, '-machine')).toEqual(['q35,accel=kvm,pflash0=fw-code,pflash1=fw-vars']);
    expect(after(argv, '-blockdev')).toEqual([
      'driver=file,filename=/usr/share/OVMF/OVMF_CODE_4M.fd,node-name=fw-code,read-only=on',
      'driver=file,filename=/cfg/vms/vm1.efivars.fd,node-name=fw-vars',
    ]);
    expect(() => buildQemuArgv({ profile: profile({ firmware: 'ovmf' }), paths, accel: 'kvm', firmware: null })).toThrow();
  });

  it('sets up each display', () => {
    const vnc = buildQemuArgv({ profile: profile({ display: 'vnc' }), paths, accel: 'kvm', firmware: null }).argv;
    expect(after(vnc, '-vnc')).toEqual(['127.0.0.1:0,to=99']);
    const win = buildQemuArgv({ profile: profile({ display: 'window' }), paths, accel: 'kvm', firmware: null }).argv;
    expect(after(win, '-display')).toEqual(['gtk']);
  });

  it('renders a shell line that quotes what needs quoting', () => {
    const { argv } = buildQemuArgv({ profile: profile({ disks: [{ path: "/d/it's here", format: 'raw' }] }), paths, accel: 'kvm', firmware: null });
    expect(qemuShellLine(argv)).toContain(`'driver=file,filename=/d/it'\\''s here,node-name=disk0-file'`);
  });
});

describe('vmProfileSchema', () => {
  it('rejects hostile names and bad values', () => {
    for (const name of ['', '-x', 'a b', 'a,b', 'a/b', '.hidden', 'x'.repeat(64)]) {
      expect(vmProfileSchema.safeParse({ ...profile(), name }).success, name).toBe(false);
    }
    expect(vmProfileSchema.safeParse({ ...profile(), disks: [{ path: 'relative.img', format: 'raw' }] }).success).toBe(false);
    expect(vmProfileSchema.safeParse({ ...profile(), nics: [{ kind: 'passthrough', address: '01:00.0' }] }).success).toBe(false);
    expect(vmProfileSchema.safeParse({ ...profile(), nics: [{ kind: 'nat', mac: '01:00:5e:00:00:01' }] }).success).toBe(false);
    expect(vmProfileSchema.safeParse({ ...profile(), nics: [{ kind: 'bridge', bridge: 'br0;rm' }] }).success).toBe(false);
  });
});
