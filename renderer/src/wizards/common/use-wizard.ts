/**
 * Drives the wizard reducer against the host: plans whenever the request changes, follows
 * progress events while applying, and refreshes the scan afterwards (host:changed events will
 * also arrive; the scan store coalesces them).
 */
import { useCallback, useEffect, useReducer } from 'react';
import type { PassthruApi } from '#shared/api';
import type { InvokeRequest } from '#shared/ipc-contract';
import type { Plan } from '#shared/plan';
import { getApi } from '../../api';
import { toDisplayError } from '../../lib/display-error';
import { scanStore } from '../../stores/scan-store';
import { canApply, confirmFor, initialWizard, wizardReducer, type WizardRequest } from './wizard-state';

/**
 * The plan call for a request (exported for tests: what each wizard sends). Every change kind
 * goes through the one `change:plan` channel; an undo names its journal entry through history.
 */
export async function planFor(request: WizardRequest, api: PassthruApi = getApi()): Promise<Plan> {
  switch (request.kind) {
    case 'assign': {
      const { address, group, persist, force } = request;
      return api.planChange(force ? { kind: 'assign', address, group, persist, force } : { kind: 'assign', address, group, persist });
    }
    case 'release':
      return api.planChange({ kind: 'release', address: request.address });
    case 'undo':
      return api.planUndo({ journalId: request.journalId });
    case 'sriov':
      return api.planChange(sriovPayload(request));
    case 'vf-config':
      return api.planChange({ kind: 'vf-config', address: request.address, vf: request.vf, settings: request.settings });
    case 'iommu':
      return api.planChange(request.action === 'enable' ? { kind: 'iommu', action: 'enable', pt: request.pt, earlyVfio: request.earlyVfio } : { kind: 'iommu', action: 'disable' });
    case 'bridge':
      return api.planChange(
        request.action === 'create'
          ? { kind: 'bridge', action: 'create', bridge: request.bridge, port: request.port, confirmSeconds: request.confirmSeconds }
          : { kind: 'bridge', action: 'remove', bridge: request.bridge, confirmSeconds: request.confirmSeconds },
      );
  }
}

/** The sriov request: autoprobe only when the user changed it, force only when forcing. */
export function sriovPayload(request: Extract<WizardRequest, { kind: 'sriov' }>): InvokeRequest<'change:plan'> {
  const { address, numVfs, autoprobe, persist, force } = request;
  return {
    kind: 'sriov',
    address,
    numVfs,
    ...(autoprobe === undefined ? {} : { autoprobe }),
    persist,
    ...(force ? { force } : {}),
  };
}

export function useWizard(initial: WizardRequest) {
  const [state, dispatch] = useReducer(wizardReducer, initial, initialWizard);
  const { request, phase } = state;

  useEffect(() => {
    if (phase !== 'planning') return;
    let live = true;
    planFor(request).then(
      (plan) => live && dispatch({ type: 'planned', plan }),
      (err: unknown) => live && dispatch({ type: 'failed', error: toDisplayError(err) }),
    );
    return () => {
      live = false;
    };
    // Plan on entering the planning phase, and again when the request changes meanwhile
    // (a settings form may submit the very request it was opened with: same object).
  }, [phase, request]);

  const apply = useCallback(async () => {
    if (!canApply(state) || !state.plan) return;
    const api = getApi();
    dispatch({ type: 'apply' });
    const offProgress = api.onPlanProgress((progress) => dispatch({ type: 'progress', progress }));
    const offCheck = api.onPlanCheck(({ planId, check }) => dispatch({ type: 'check', planId, check }));
    const off = () => {
      offProgress();
      offCheck();
    };
    try {
      const result = await api.applyPlan({ planId: state.plan.id, confirmText: confirmFor(state) });
      dispatch({ type: 'applied', result });
    } catch (err) {
      dispatch({ type: 'failed', error: toDisplayError(err) });
    } finally {
      off();
      void scanStore.getState().load();
    }
  }, [state]);

  return { state, dispatch, apply };
}
