import { describe, expect, it, vi } from 'vitest';
import type { PassthruApi } from '#shared/api';
import { sampleAssignPlan, sampleSriovPlan, sampleVfPlan } from '../../testing/sample-plans';
import { planFor, sriovPayload } from './use-wizard';

/** Only the planning calls matter here. */
function fakeApi() {
  return {
    planChange: vi.fn(async (request: { kind: string }) => (request.kind === 'sriov' ? sampleSriovPlan() : request.kind === 'vf-config' ? sampleVfPlan() : sampleAssignPlan())),
    planUndo: vi.fn(async () => sampleAssignPlan()),
  };
}
const asApi = (f: object) => f as unknown as PassthruApi;

describe('what each wizard sends to plan', () => {
  it('an sriov plan gets the count and persist, autoprobe only when chosen, force only when forcing', async () => {
    const api = fakeApi();
    await planFor({ kind: 'sriov', address: '0000:01:00.0', numVfs: 4, persist: false, force: false }, asApi(api));
    expect(api.planChange).toHaveBeenLastCalledWith({ kind: 'sriov', address: '0000:01:00.0', numVfs: 4, persist: false });
    await planFor({ kind: 'sriov', address: '0000:01:00.0', numVfs: 2, autoprobe: false, persist: true, force: true }, asApi(api));
    expect(api.planChange).toHaveBeenLastCalledWith({ kind: 'sriov', address: '0000:01:00.0', numVfs: 2, autoprobe: false, persist: true, force: true });
    expect(sriovPayload({ kind: 'sriov', address: '0000:01:00.0', numVfs: 0, autoprobe: true, persist: false, force: false })).toEqual({
      kind: 'sriov',
      address: '0000:01:00.0',
      numVfs: 0,
      autoprobe: true,
      persist: false,
    });
  });

  it('a vf-config plan gets the PF, the VF index and only the changed settings', async () => {
    const api = fakeApi();
    await planFor({ kind: 'vf-config', address: '0000:01:00.0', vf: 1, settings: { mac: '02:00:00:00:00:01', vlan: 10 } }, asApi(api));
    expect(api.planChange).toHaveBeenCalledWith({ kind: 'vf-config', address: '0000:01:00.0', vf: 1, settings: { mac: '02:00:00:00:00:01', vlan: 10 } });
  });

  it('assign still sends force only when forcing', async () => {
    const api = fakeApi();
    await planFor({ kind: 'assign', address: '0000:01:00.1', group: true, persist: false, force: false }, asApi(api));
    expect(api.planChange).toHaveBeenLastCalledWith({ kind: 'assign', address: '0000:01:00.1', group: true, persist: false });
  });
});
