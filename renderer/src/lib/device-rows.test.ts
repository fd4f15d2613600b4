import { describe, expect, it } from 'vitest';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import { buildGridItems, indexOfDevice, moveIndex } from './device-rows';
import { indexScan } from './scan-index';

const { groupById } = indexScan(sampleScan);

describe('grid rows', () => {
  it('is one row per device when not grouping', () => {
    const items = buildGridItems(sampleScan.devices, false, groupById);
    expect(items).toHaveLength(sampleScan.devices.length);
    expect(items.every((i) => i.kind === 'device')).toBe(true);
  });

  it('groups by IOMMU group in id order, keeping the sort order inside', () => {
    const devices = [...sampleScan.devices].reverse();
    const items = buildGridItems(devices, true, groupById);
    const headers = items.filter((i) => i.kind === 'group');
    expect(headers.map((h) => (h.kind === 'group' ? h.groupId : null))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18]);
    const g9 = items.findIndex((i) => i.kind === 'group' && i.groupId === 9);
    const members = items.slice(g9 + 1, g9 + 5).map((i) => (i.kind === 'device' ? i.device.address : ''));
    expect(members).toEqual(['0000:00:1f.6', '0000:00:1f.4', '0000:00:1f.3', '0000:00:1f.0']);
    const h9 = items[g9];
    expect(h9?.kind === 'group' && h9.count).toBe(4);
    expect(h9?.kind === 'group' && h9.group?.viable).toBe(false);
  });

  it('puts devices without a group last under their own header', () => {
    const items = buildGridItems([makeDevice({ address: '0000:0f:00.0', iommuGroup: null }), ...sampleScan.devices], true, groupById);
    const last = items.filter((i) => i.kind === 'group').at(-1);
    expect(last?.kind === 'group' && last.groupId).toBeNull();
    expect(indexOfDevice(items, '0000:0f:00.0')).toBe(items.length - 1);
  });

  it('moves the keyboard cursor within bounds', () => {
    expect(moveIndex(0, 'ArrowUp', 10, 5)).toBe(0);
    expect(moveIndex(9, 'ArrowDown', 10, 5)).toBe(9);
    expect(moveIndex(2, 'PageDown', 10, 5)).toBe(7);
    expect(moveIndex(2, 'PageUp', 10, 5)).toBe(0);
    expect(moveIndex(4, 'End', 10, 5)).toBe(9);
    expect(moveIndex(4, 'Home', 10, 5)).toBe(0);
    expect(moveIndex(0, 'ArrowDown', 0, 5)).toBe(-1);
  });
});
