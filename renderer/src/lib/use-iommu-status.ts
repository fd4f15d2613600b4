/**
 * The shown host's boot status for the IOMMU (how it boots, whether its boot configuration
 * turns the IOMMU on), fetched again whenever a new scan arrives — after the wizard applies,
 * after a snapshot is opened — so the overview and the wizard never show a stale verdict.
 */
import { useEffect, useState } from 'react';
import type { IommuBootStatus } from '#shared/iommu';
import { getApi } from '../api';
import { useScanStore } from '../stores/scan-store';
import { toDisplayError, type DisplayError } from './display-error';

export type IommuStatusState = { state: 'loading' } | { state: 'ready'; status: IommuBootStatus } | { state: 'error'; error: DisplayError };

export function useIommuStatus(): IommuStatusState {
  const scan = useScanStore((s) => s.scan);
  const [value, setValue] = useState<IommuStatusState>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    getApi()
      .iommuStatus()
      .then(
        (status) => live && setValue({ state: 'ready', status }),
        (err: unknown) => live && setValue({ state: 'error', error: toDisplayError(err) }),
      );
    return () => {
      live = false;
    };
  }, [scan]);
  return value;
}
