/**
 * The tap device a bridge NIC needs: created owned by the user who runs qemu, attached to the
 * bridge and up; removed again when the VM stops. The taps are made as a journaled change
 * (tap-plans.ts: the create-tap/remove-tap ops, through the helper when not root), never
 * beside the journal; the ops own their commands (ops/tap.ts), which the exported start
 * script shows too.
 */

/** How a VM gets its taps: made and removed around its qemu by the supervisor. */
export interface TapManager {
  /** Makes each tap exist on its bridge; returns the taps it created (ours to remove later). */
  create(vm: string, taps: { tap: string; bridge: string }[], uid: number): Promise<string[]>;
  remove(vm: string, taps: string[]): Promise<void>;
}
