import { describe, expect, it } from 'vitest';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import { buildGridItems, indexOfDevice, moveColumn, moveIndex, pinnedGroupHeader, rowAt, rowOffsets } from './device-rows';
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

describe('grid row positions and the pinned group header', () => {
  const heights = { device: 52, group: 40 };
  const items = buildGridItems(sampleScan.devices, true, groupById);
  const { starts, total } = rowOffsets(items, heights);

  it('adds up fixed row heights', () => {
    const groups = items.filter((i) => i.kind === 'group').length;
    expect(total).toBe(groups * 40 + (items.length - groups) * 52);
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBe(40);
    expect(rowAt(starts, 0)).toBe(0);
    expect(rowAt(starts, 39.5)).toBe(0);
    expect(rowAt(starts, 40)).toBe(1);
    expect(rowAt(starts, total + 500)).toBe(items.length - 1);
    expect(rowAt(new Float64Array(0), 10)).toBe(-1);
  });

  it('pins the header of the group whose rows are at the top, at every position', () => {
    for (let y = 0; y < total; y += 7) {
      const top = rowAt(starts, y);
      const pin = pinnedGroupHeader(items, starts, y, 40);
      const header = items[pin.index];
      expect(header?.kind).toBe('group');
      const topItem = items[top]!;
      const topGroup = topItem.kind === 'group' ? topItem.groupId : topItem.device.iommuGroup;
      expect(header?.kind === 'group' && header.groupId, `y=${y}`).toBe(topGroup);
      // Never overlapping the next header: pushed up by what it would cover.
      const next = items.findIndex((i, n) => n > top && i.kind === 'group');
      const room = next < 0 ? Infinity : starts[next]! - y;
      expect(pin.shift).toBe(Math.min(0, room - 40));
      expect(pin.shift).toBeLessThanOrEqual(0);
      expect(pin.shift).toBeGreaterThanOrEqual(-40);
    }
  });

  it('pins nothing when not grouping', () => {
    const flat = buildGridItems(sampleScan.devices, false, groupById);
    const offsets = rowOffsets(flat, heights);
    expect(pinnedGroupHeader(flat, offsets.starts, 300, 40)).toEqual({ index: -1, shift: 0 });
    expect(pinnedGroupHeader([], new Float64Array(0), 0, 40)).toEqual({ index: -1, shift: 0 });
  });

  it('moves a roving header focus with the arrows, Home and End, and ignores other keys', () => {
    expect(moveColumn(0, 'ArrowRight', 6)).toBe(1);
    expect(moveColumn(5, 'ArrowRight', 6)).toBe(5);
    expect(moveColumn(0, 'ArrowLeft', 6)).toBe(0);
    expect(moveColumn(3, 'Home', 6)).toBe(0);
    expect(moveColumn(3, 'End', 6)).toBe(5);
    expect(moveColumn(3, 'Enter', 6)).toBeNull();
    expect(moveColumn(0, 'ArrowRight', 0)).toBeNull();
  });
});
