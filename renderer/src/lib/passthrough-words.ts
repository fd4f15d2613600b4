/**
 * The words of the passthrough verdict (shared/model.ts PassthroughState), once for every view:
 * the badge, the Overview's counts, filters and the topology's legend.
 */
import type { PassthroughState } from '#shared/model';

export const PASSTHROUGH_LABEL: Record<PassthroughState, string> = {
  ready: 'Ready',
  assignable: 'Assignable',
  shared: 'Shared',
  'host-only': 'Host only',
  blocked: 'Blocked',
};

/** What each verdict means, as a tooltip or a legend line. */
export const PASSTHROUGH_MEANING: Record<PassthroughState, string> = {
  ready: 'A VM can take it now.',
  assignable: 'One assign to vfio-pci makes it ready; nothing of this host depends on it.',
  shared: 'Several devices that can only go to a VM together.',
  'host-only': 'Bridges and ports only: nothing to pass through.',
  blocked: 'It holds something this host cannot give up.',
};

/** Order in which a user looks for them (the ones to act on first). */
export const PASSTHROUGH_ORDER: readonly PassthroughState[] = ['ready', 'assignable', 'shared', 'blocked', 'host-only'];

/** The badge style of each verdict: good, actionable, careful, stop, neutral. */
export const PASSTHROUGH_TONE: Record<PassthroughState, 'pass' | 'warn' | 'fail' | 'neutral'> = {
  ready: 'pass',
  assignable: 'pass',
  shared: 'warn',
  blocked: 'fail',
  'host-only': 'neutral',
};
