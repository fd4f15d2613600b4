/**
 * Taps as plans: the create-tap / remove-tap ops through a ChangeService, which runs
 * them in-process as root and through the pkexec helper otherwise — so the GUI, never root,
 * can start a VM on a bridge, and every tap it makes is journaled with its undo.
 */
import { PassthruError } from '#shared/errors';
import type { Plan } from '#shared/plan';
import type { ChangeService } from '../changes/change-service';
import type { HostFs } from '../fs/host-fs';
import type { TapManager } from './tap-ops';

async function applyOrThrow(service: ChangeService, plan: Plan): Promise<void> {
  if (plan.noop) return;
  const result = await service.apply(plan.id, {});
  if (!result.ok) {
    throw new PassthruError('FAILED', result.error?.message ?? 'The tap devices could not be changed.', result.error?.remedy ?? null, result.error?.detail ?? null);
  }
}

export function plannedTaps(service: ChangeService, fs: () => HostFs): TapManager {
  return {
    async create(vm, taps, uid) {
      const host = fs();
      // A tap already on its bridge (made by an administrator for this user) is used as it is.
      const needed = taps.filter((t) => !host.readLink(`/sys/class/net/${t.tap}/master`)?.endsWith(`/${t.bridge}`));
      const created = needed.filter((t) => !host.exists(`/sys/class/net/${t.tap}`)).map((t) => t.tap);
      await applyOrThrow(service, await service.planChange({ kind: 'vm-network', vm, create: needed.map(({ tap, bridge }) => ({ tap, bridge })), uid }));
      return created;
    },
    async remove(vm, taps) {
      const host = fs();
      const present = taps.filter((t) => host.exists(`/sys/class/net/${t}`));
      if (present.length > 0) await applyOrThrow(service, await service.planChange({ kind: 'vm-network', vm, remove: present, uid: process.getuid?.() ?? 0 }));
    },
  };
}
