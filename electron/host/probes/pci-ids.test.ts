import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HostFs } from '../fs/host-fs';
import { loadPciIds, PciIds } from './pci-ids';

const SAMPLE = `#
#	List of PCI ID's
#
0001  SafeNet (wrong ID)
8086  Intel Corporation
# a comment inside a vendor block
	0d57  Some host bridge  
	10c9  82576 Gigabit Network Connection
		103c 31ef  NC362i Integrated Dual port Gigabit Server Adapter
		8086 a03c  Gigabit ET Dual Port Server Adapter

	10ca  82576 Virtual Function
80ee  InnoTek Systemberatung GmbH
	beef  VirtualBox Graphics Adapter
S 80ee
	cafe  Generic InnoTek subsystem
C 02  Network controller
	00  Ethernet controller
	80  Network controller
C 06  Bridge
	04  PCI bridge
		00  Normal decode
C ff  Unassigned class
`;

describe('PciIds', () => {
  const ids = new PciIds(SAMPLE);

  it('finds vendors and devices, trimming trailing blanks and skipping comments', () => {
    expect(ids.vendorName('8086')).toBe('Intel Corporation');
    expect(ids.vendorName('0001')).toBe('SafeNet (wrong ID)');
    expect(ids.deviceName('8086', '0d57')).toBe('Some host bridge');
    expect(ids.deviceName('8086', '10ca')).toBe('82576 Virtual Function');
    expect(ids.vendorName('1234')).toBeNull();
    expect(ids.deviceName('8086', 'ffff')).toBeNull();
  });

  it('does not take a device line of another vendor for a vendor', () => {
    // "10c9" exists as a device id but not as a vendor.
    expect(ids.vendorName('10c9')).toBeNull();
  });

  it('names subsystems the way lspci does', () => {
    expect(ids.subsystemName('8086', '10c9', '8086', 'a03c')).toBe('Intel Corporation Gigabit ET Dual Port Server Adapter');
    // Subsystem vendor known but subsystem not listed: the vendor alone.
    expect(ids.subsystemName('8086', '10c9', '8086', '0001')).toBe('Intel Corporation');
    // Subsystem ids equal to the device ids: the device name.
    expect(ids.subsystemName('8086', '10ca', '8086', '10ca')).toBe('Intel Corporation 82576 Virtual Function');
    // Generic S block.
    expect(ids.subsystemName('8086', '10c9', '80ee', 'cafe')).toBe('InnoTek Systemberatung GmbH Generic InnoTek subsystem');
    expect(ids.subsystemName('8086', '10c9', '1234', '0001')).toBeNull();
  });

  it('gives the subclass name, else the class name', () => {
    expect(ids.className('020000')).toBe('Ethernet controller');
    expect(ids.className('028000')).toBe('Network controller');
    expect(ids.className('060400')).toBe('PCI bridge');
    expect(ids.className('060900')).toBe('Bridge');
    expect(ids.className('ffff00')).toBe('Unassigned class');
    expect(ids.className('130000')).toBeNull();
  });

  it('reads the system pci.ids for the lab NIC', () => {
    const text = fs.readFileSync('/usr/share/misc/pci.ids', 'utf8');
    const sys = new PciIds(text);
    expect(sys.deviceName('8086', '10c9')).toBe('82576 Gigabit Network Connection');
    expect(sys.deviceName('8086', '10ca')).toBe('82576 Virtual Function');
    expect(sys.className('010802')).toBe('Non-Volatile memory controller');
  });
});

describe('loadPciIds between scans', () => {
  it('gives the same index while the text is the same one, and a new index for a new text', () => {
    const text = '8086  Intel Corporation\n\t10c9  82576 Gigabit Network Connection\n';
    let served = text;
    const fs = { readText: (p: string) => (p === '/usr/share/hwdata/pci.ids' ? served : null) } as unknown as HostFs;
    const first = loadPciIds(fs);
    expect(first?.deviceName('8086', '10c9')).toBe('82576 Gigabit Network Connection');
    expect(loadPciIds(fs)).toBe(first);
    served = `${text}10de  NVIDIA Corporation\n`;
    const next = loadPciIds(fs);
    expect(next).not.toBe(first);
    expect(next?.vendorName('10de')).toBe('NVIDIA Corporation');
  });
});
