import { describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { explainQemuError, qemuFailure } from './qemu-errors';
import { QmpError } from './qmp-client';

// Texts as qemu 10 prints them (the first four captured from qemu-system-x86_64 10.0.2 on
// this project's CI image; the VFIO ones from qemu's hw/vfio sources and user reports).
const Q = 'qemu-system-x86_64';
const samples = {
  notViable: `${Q}: -device vfio-pci,host=0000:01:00.0,id=nic0: vfio 0000:01:00.0: group 1 is not viable\nPlease ensure all devices within the iommu_group are bound to their vfio bus driver.\n`,
  vfioPerm: `${Q}: -device vfio-pci,host=0000:01:10.0,id=nic0: vfio 0000:01:10.0: failed to open /dev/vfio/14: Permission denied\n`,
  vfioBusy: `${Q}: -device vfio-pci,host=0000:01:10.0,id=nic0: vfio 0000:01:10.0: failed to open /dev/vfio/14: Device or resource busy\n`,
  memlock: `${Q}: -device vfio-pci,host=0000:01:10.0,id=nic0: VFIO_MAP_DMA failed: Cannot allocate memory\n${Q}: -device vfio-pci,host=0000:01:10.0,id=nic0: vfio 0000:01:10.0: failed to setup container for group 14: memory listener initialization failed: Region pc.ram: vfio_container_dma_map(0x55d0c, 0x100000, 0x3ff00000, 0x7f2c) = -12 (Cannot allocate memory)\n`,
  noGroup: `${Q}: -device vfio-pci,host=0000:01:00.0,id=nic0: vfio 0000:01:00.0: no iommu_group found: No such file or directory\n`,
  noDevice: `${Q}: -device vfio-pci,host=0000:99:00.0: vfio /sys/bus/pci/devices/0000:99:00.0: no such host device: No such file or directory\n`,
  tapBusy: `${Q}: -netdev tap,id=n0,ifname=ptbusy0,script=no,downscript=no: could not configure /dev/net/tun (ptbusy0): Device or resource busy\n`,
  disk: `${Q}: -blockdev driver=file,filename=/nonexist.img,node-name=d0-file: Could not open '/nonexist.img': No such file or directory\n`,
  kvm: `Could not access KVM kernel module: Permission denied\n${Q}: failed to initialize kvm: Permission denied\n`,
  ram: `${Q}: cannot set up guest memory 'pc.ram': Cannot allocate memory\n`,
};

const scan = {
  groups: [{ id: 1, devices: ['0000:00:1c.0', '0000:01:00.0', '0000:01:00.1'], viable: false, blockers: [{ address: '0000:01:00.1', driver: 'igb' }], openBy: [] }],
} as unknown as HostScan;

describe('explainQemuError', () => {
  it('names the group member to move for a non-viable group', () => {
    const e = explainQemuError(samples.notViable, { scan });
    expect(e?.code).toBe('REFUSED');
    expect(e?.cause).toContain('IOMMU group 1 is not viable');
    expect(e?.cause).toContain('0000:01:00.1 (on igb)');
    expect(e?.remedy).toBe('Assign the whole group to vfio-pci if the host can spare its other members, or choose a device in a group of its own.');
  });

  it('explains /dev/vfio permission and busy groups', () => {
    expect(explainQemuError(samples.vfioPerm)?.cause).toContain('/dev/vfio/14');
    expect(explainQemuError(samples.vfioPerm)?.remedy).toContain('giving its group to the user who starts the VM');
    expect(explainQemuError(samples.vfioBusy)?.cause).toMatch(/already open: another VM/);
  });

  it('explains memlock with the numbers', () => {
    const e = explainQemuError(samples.memlock, { memoryMiB: 4096, memlockBytes: 8 * 1048576 });
    expect(e?.code).toBe('ENVIRONMENT');
    expect(e?.cause).toContain('RLIMIT_MEMLOCK');
    expect(e?.cause).toContain('8 MiB; the guest has 4096 MiB');
  });

  it('explains a missing IOMMU, a missing device, tap busy, a missing disk, KVM, host RAM', () => {
    expect(explainQemuError(samples.noGroup)?.remedy).toContain('(IOMMU boot settings), then reboot');
    expect(explainQemuError(samples.noDevice)?.cause).toContain('0000:99:00.0');
    expect(explainQemuError(samples.tapBusy)?.cause).toContain('ptbusy0 is already in use');
    expect(explainQemuError(samples.disk)).toMatchObject({ code: 'BAD_INPUT', cause: 'The disk image /nonexist.img does not exist.' });
    expect(explainQemuError(samples.kvm)?.cause).toContain('KVM is not usable');
    expect(explainQemuError(samples.ram)?.cause).toContain('enough free memory');
    expect(explainQemuError('something else entirely')).toBeNull();
  });

  it('wraps stderr and QMP errors as PassthruErrors with detail', () => {
    const e = qemuFailure('VM x did not start', samples.disk);
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toBe('VM x did not start: The disk image /nonexist.img does not exist.');
    expect(e.detail).toContain("Could not open '/nonexist.img'");
    const unknown = qemuFailure('VM x did not start', `${Q}: weird\n`);
    expect(unknown.code).toBe('FAILED');
    expect(unknown.message).toContain('weird');
    const q = qemuFailure('cont', new QmpError('cont', 'GenericError', 'vfio 0000:01:00.0: group 1 is not viable'));
    expect(q.code).toBe('REFUSED');
  });

  it('says every remedy in words, shown as they are in the window and the CLI: no Passthru command line syntax', () => {
    for (const [name, text] of Object.entries(samples)) {
      const e = qemuFailure('VM x did not start', text, { scan });
      expect(e.remedy ?? '', name).not.toMatch(/passthru |--[a-z]/);
    }
    expect(qemuFailure('VM x did not start', `${Q}: weird\n`).remedy).not.toMatch(/passthru /);
  });
});
