/**
 * A device's passthrough verdict is its IOMMU group's (shared/group-passthrough.ts): the one
 * answer the Devices table shows, sorts and filters by. A device outside any group has none.
 */
import type { IommuGroup, PassthroughState, PciDevice } from '#shared/model';
import { PASSTHROUGH_LABEL, PASSTHROUGH_ORDER } from './passthrough-words';

export type GroupLookup = ReadonlyMap<number, Pick<IommuGroup, 'passthrough'>>;

/** The verdict of the device's group, or null when it is in no group (or the group is unknown). */
export function deviceVerdict(d: Pick<PciDevice, 'iommuGroup'>, groupById: GroupLookup): PassthroughState | null {
  if (d.iommuGroup === null) return null;
  return groupById.get(d.iommuGroup)?.passthrough.state ?? null;
}

/** Said where a device has no verdict: plain words, never a question mark. */
export const NO_GROUP_WORDS = 'No IOMMU group';

/** Sort rank: ready, assignable, shared, blocked, host-only (the ones to act on first). */
export function verdictRank(state: PassthroughState): number {
  return PASSTHROUGH_ORDER.indexOf(state);
}

/** Verdict filter value: the three a VM can have (ready, assignable, shared). */
export const VERDICT_PASSABLE = 'passable';
/** Verdict filter value: devices in no IOMMU group. */
export const VERDICT_NO_GROUP = 'no-group';

/** The verdicts a VM can be given: at once (ready), after one assign, or with its group. */
export const PASSABLE: ReadonlySet<PassthroughState> = new Set<PassthroughState>(['ready', 'assignable', 'shared']);

/** Whether a verdict passes the filter value (ANY is the empty string). */
export function matchesVerdict(state: PassthroughState | null, filter: string): boolean {
  if (filter === '') return true;
  if (filter === VERDICT_PASSABLE) return state !== null && PASSABLE.has(state);
  if (filter === VERDICT_NO_GROUP) return state === null;
  return state === filter;
}

/**
 * The verdict filter's choices with counts, from what this host has; "can be passed through"
 * first. `keep` (the value selected now) is listed even when no device has it, so a filter left
 * over from another host still reads as what it is.
 */
export function verdictOptions(devices: readonly PciDevice[], groupById: GroupLookup, keep = ''): { value: string; label: string }[] {
  const counts = new Map<PassthroughState | null, number>();
  for (const d of devices) {
    const v = deviceVerdict(d, groupById);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const passable = [...PASSABLE].reduce((n, s) => n + (counts.get(s) ?? 0), 0);
  const options: { value: string; label: string }[] = [];
  if (passable > 0 || keep === VERDICT_PASSABLE) options.push({ value: VERDICT_PASSABLE, label: `Can be passed through (${passable})` });
  for (const s of PASSTHROUGH_ORDER) {
    const n = counts.get(s) ?? 0;
    if (n > 0 || keep === s) options.push({ value: s, label: `${PASSTHROUGH_LABEL[s]} (${n})` });
  }
  const none = counts.get(null) ?? 0;
  if (none > 0 || keep === VERDICT_NO_GROUP) options.push({ value: VERDICT_NO_GROUP, label: `${NO_GROUP_WORDS} (${none})` });
  return options;
}
