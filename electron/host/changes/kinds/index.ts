/**
 * The change kinds Passthru has, one module each. A new kind is a module beside these and one
 * line here (docs/architecture.md, "Where a new change kind goes").
 */
import type { ChangeIntent } from '#shared/plan';
import type { AnyChangeKind, ChangeKindModule } from '../change-kind';
import { assignKind } from './assign';
import { bridgeKind } from './bridge';
import { confirmKind } from './confirm';
import { iommuKind } from './iommu';
import { releaseKind } from './release';
import { sriovKind } from './sriov';
import { undoKind } from './undo';
import { vfConfigKind } from './vf-config';
import { vmNetworkKind } from './vm-network';

const kinds = [assignKind, releaseKind, sriovKind, vfConfigKind, iommuKind, vmNetworkKind, bridgeKind, confirmKind, undoKind] as const;

export const BUILT_IN_KINDS: readonly AnyChangeKind[] = kinds;

// The intents the kinds' schemas parse are exactly the ChangeIntent that shared/plan.ts declares
// (what the executor's callers and the helper's tests are typed with): the compiler holds the
// two declarations together.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the intent type is read
type IntentOf<K> = K extends ChangeKindModule<infer I, any> ? I : never;
type Parsed = IntentOf<(typeof kinds)[number]>;
const intentsMatch: [Parsed] extends [ChangeIntent] ? ([ChangeIntent] extends [Parsed] ? true : false) : false = true;
void intentsMatch;
