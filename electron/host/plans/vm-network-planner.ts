/**
 * The plan for a VM's tap devices: create each tap on its bridge for the user who
 * runs qemu, or remove taps when the VM stops. A plan like every privileged change, so it goes
 * through the one helper, is journaled, and shows up in History with its undo.
 */
import type { PlanDraft, PlannedStep } from './plan-steps';

export interface VmNetworkRequest {
  /** The VM the taps are for (words only). */
  vm: string;
  create?: { tap: string; bridge: string }[];
  remove?: string[];
  uid: number;
}

export function planVmNetwork(request: VmNetworkRequest, meta: { planId: string; now: string }): PlanDraft {
  const creates: PlannedStep[] = (request.create ?? []).map(({ tap, bridge }) => ({
    id: `create-tap-${tap}`,
    title: `Create the tap device ${tap} on bridge ${bridge} for VM ${request.vm} (owned by user ${request.uid})`,
    op: { verb: 'create-tap', tap, bridge, uid: request.uid },
    verify: `${tap} is a tap device of user ${request.uid} and a port of ${bridge}.`,
    undo: { verb: 'remove-tap', tap },
  }));
  const removes: PlannedStep[] = (request.remove ?? []).map((tap) => ({
    id: `remove-tap-${tap}`,
    title: `Remove the tap device ${tap} of VM ${request.vm}`,
    op: { verb: 'remove-tap', tap },
    verify: `${tap} is gone.`,
    // A removed tap is made again by the VM's next start.
    undo: null,
  }));
  const steps = [...creates, ...removes];
  return {
    id: meta.planId,
    kind: 'vm-network',
    createdAt: meta.now,
    target: '',
    devices: [],
    force: false,
    checks: [],
    refusal: null,
    noop: steps.length === 0,
    steps,
    original: {},
    detail: { kind: 'vm-network', vm: request.vm, uid: request.uid },
  };
}
