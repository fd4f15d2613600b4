import { describe, expect, it } from 'vitest';
import { makeDevice, sampleScan } from '../testing/sample-scan';
import { filterDevices, EMPTY_FILTERS } from './device-filter';
import { sortDevices } from './device-sort';
import { deviceVerdict, matchesVerdict, verdictOptions, verdictRank, VERDICT_NO_GROUP, VERDICT_PASSABLE } from './device-verdict';
import { indexScan } from './scan-index';

const { groupById } = indexScan(sampleScan);
const verdictOf = (d: Parameters<typeof deviceVerdict>[0]) => deviceVerdict(d, groupById);
const orphan = makeDevice({ address: '0000:0f:00.0', iommuGroup: null });
const devices = [...sampleScan.devices, orphan];

describe('device verdict', () => {
  it('is the verdict of the device’s group, or none outside a group', () => {
    expect(verdictOf(sampleScan.devices.find((d) => d.address === '0000:02:00.0')!)).toBe('ready');
    expect(verdictOf(sampleScan.devices.find((d) => d.address === '0000:00:1f.6')!)).toBe('blocked');
    expect(verdictOf(orphan)).toBeNull();
    expect(verdictOf(makeDevice({ address: '0000:0f:00.1', iommuGroup: 99 }))).toBeNull();
  });

  it('sorts ready, assignable, shared, blocked, host-only, then no group; descending keeps no group last', () => {
    const order = ['ready', 'assignable', 'shared', 'blocked', 'host-only'];
    expect(order.map((s) => verdictRank(s as never))).toEqual([0, 1, 2, 3, 4]);
    const asc = sortDevices(devices, 'verdict', false, { groupById }).map(verdictOf);
    expect(asc).toEqual([...asc].sort((a, b) => (a === null ? 1 : b === null ? -1 : order.indexOf(a) - order.indexOf(b))));
    expect(asc[0]).toBe('ready');
    expect(asc.at(-2)).toBe('host-only');
    expect(asc.at(-1)).toBeNull();
    const desc = sortDevices(devices, 'verdict', true, { groupById }).map(verdictOf);
    expect(desc[0]).toBe('host-only');
    expect(desc.at(-1)).toBeNull();
  });

  it('breaks verdict ties by address', () => {
    const ready = sortDevices(devices, 'verdict', false, { groupById })
      .filter((d) => verdictOf(d) === 'ready')
      .map((d) => d.address);
    expect(ready).toEqual(['0000:00:1c.0', '0000:01:10.2', '0000:02:00.0']);
  });

  it('filters by one verdict, by “can be passed through” and by no group', () => {
    expect(matchesVerdict('ready', '')).toBe(true);
    expect(matchesVerdict(null, '')).toBe(true);
    expect(matchesVerdict('shared', VERDICT_PASSABLE)).toBe(true);
    expect(matchesVerdict('blocked', VERDICT_PASSABLE)).toBe(false);
    expect(matchesVerdict('host-only', VERDICT_PASSABLE)).toBe(false);
    expect(matchesVerdict(null, VERDICT_PASSABLE)).toBe(false);
    expect(matchesVerdict(null, VERDICT_NO_GROUP)).toBe(true);
    expect(matchesVerdict('assignable', 'assignable')).toBe(true);
    expect(matchesVerdict('assignable', 'ready')).toBe(false);

    const blocked = filterDevices(devices, { ...EMPTY_FILTERS, verdict: 'blocked' }, verdictOf).map((d) => d.address);
    expect(blocked).toEqual(['0000:00:1f.0', '0000:00:1f.3', '0000:00:1f.4', '0000:00:1f.6']);
    const passable = filterDevices(devices, { ...EMPTY_FILTERS, verdict: VERDICT_PASSABLE }, verdictOf);
    expect(passable.every((d) => ['ready', 'assignable', 'shared'].includes(verdictOf(d) ?? ''))).toBe(true);
    expect(passable.map((d) => d.address)).not.toContain('0000:00:00.0');
    expect(filterDevices(devices, { ...EMPTY_FILTERS, verdict: VERDICT_NO_GROUP }, verdictOf)).toEqual([orphan]);
    // Combined with the other filters.
    const network = filterDevices(devices, { ...EMPTY_FILTERS, verdict: VERDICT_PASSABLE, category: 'network' }, verdictOf);
    expect(network.map((d) => d.address)).toEqual(expect.arrayContaining(['0000:01:00.0', '0000:01:00.1', '0000:01:10.0', '0000:01:10.2']));
    expect(network.map((d) => d.address)).not.toContain('0000:00:1f.6'); // the management NIC: blocked
  });

  it('offers the verdicts this host has, with counts, “can be passed through” first', () => {
    const options = verdictOptions(devices, groupById);
    expect(options.map((o) => o.value)).toEqual([VERDICT_PASSABLE, 'ready', 'assignable', 'shared', 'blocked', 'host-only', VERDICT_NO_GROUP]);
    const count = (v: string) => devices.filter((d) => matchesVerdict(verdictOf(d), v)).length;
    for (const o of options) expect(o.label).toMatch(new RegExp(`\\(${count(o.value)}\\)$`));
    expect(options[0]?.label).toBe(`Can be passed through (${count(VERDICT_PASSABLE)})`);
    expect(options.at(-1)?.label).toBe('No IOMMU group (1)');
    // A verdict the host lacks is offered only while it is the one selected.
    const withoutReady = devices.filter((d) => verdictOf(d) !== 'ready');
    expect(verdictOptions(withoutReady, groupById).map((o) => o.value)).not.toContain('ready');
    expect(verdictOptions(withoutReady, groupById, 'ready').find((o) => o.value === 'ready')?.label).toBe('Ready (0)');
  });
});
