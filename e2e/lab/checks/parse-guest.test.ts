import { describe, expect, it } from 'vitest';
import { parseLspciK, parseLspciVmm, parseSysfsFacts } from './parse-guest';

describe('lab parsers', () => {
  it('reads drivers and modules from lspci -D -nn -k', () => {
    const text = [
      '0000:00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02)',
      '\tSubsystem: Red Hat, Inc. QEMU Virtual Machine [1af4:1100]',
      '\tKernel driver in use: ahci',
      '\tKernel modules: ahci',
      '0000:02:02.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL-8100/8101L/8139 PCI Fast Ethernet Adapter [10ec:8139] (rev 20)',
      '\tKernel modules: 8139cp, 8139too',
      '0000:00:00.0 Host bridge [0600]: Intel Corporation Device [8086:0d57]',
    ].join('\n');
    const m = parseLspciK(text);
    expect(m.get('0000:00:1f.2')).toEqual({ driver: 'ahci', modules: ['ahci'] });
    expect(m.get('0000:02:02.0')).toEqual({ driver: null, modules: ['8139cp', '8139too'] });
    expect(m.get('0000:00:00.0')).toEqual({ driver: null, modules: [] });
  });

  it('reads ids and names from lspci -D -vmm -nn, unknown names as null', () => {
    const text =
      'Slot:\t0000:00:00.0\nClass:\tHost bridge [0600]\nVendor:\tIntel Corporation [8086]\nDevice:\tDevice [0d57]\nProgIf:\t00\n\nSlot:\t0000:01:00.0\nClass:\tEthernet controller [0200]\nVendor:\tIntel Corporation [8086]\nDevice:\t82576 Gigabit Network Connection [10c9]\nSVendor:\tRed Hat, Inc. [1af4]\nSDevice:\tDevice [1100]\nRev:\t01\n';
    const m = parseLspciVmm(text);
    expect(m.get('0000:00:00.0')).toMatchObject({ device: { id: '0d57', name: null }, revision: '00', subsystemVendor: null });
    expect(m.get('0000:01:00.0')).toMatchObject({ class: { id: '0200', name: 'Ethernet controller' }, subsystemDevice: { id: '1100', name: null }, revision: '01' });
  });

  it('reads sysfs-facts.sh output with VFs in virtfn index order', () => {
    const text = [
      'dev\t0000:01:00.0\t0000:00:02.0\tigb',
      'sriov\t0000:01:00.0\t7\t2',
      'virtfn\t0000:01:00.0\t1\t0000:01:10.2',
      'virtfn\t0000:01:00.0\t0\t0000:01:10.0',
      'group\t6\t0000:01:00.0',
      'ifdev\tlo\t-',
    ].join('\n');
    const f = parseSysfsFacts(text);
    expect(f.virtfns.get('0000:01:00.0')).toEqual(['0000:01:10.0', '0000:01:10.2']);
    expect(f.sriov.get('0000:01:00.0')).toEqual({ totalVfs: 7, numVfs: 2 });
    expect(f.groups.get(6)).toEqual(['0000:01:00.0']);
    expect(f.ifaceDevice.get('lo')).toBeNull();
  });
});
