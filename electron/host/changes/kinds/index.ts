/**
 * The change kinds Passthru has, one module each. A new kind is a module beside these and one
 * line here (docs/architecture.md, "Where a new change kind goes").
 */
import type { AnyChangeKind } from '../change-kind';
import { assignKind } from './assign';
import { iommuKind } from './iommu';
import { releaseKind } from './release';
import { sriovKind } from './sriov';
import { undoKind } from './undo';
import { vfConfigKind } from './vf-config';
import { vmNetworkKind } from './vm-network';

export const BUILT_IN_KINDS: readonly AnyChangeKind[] = [assignKind, releaseKind, sriovKind, vfConfigKind, iommuKind, vmNetworkKind, undoKind];
