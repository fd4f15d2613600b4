/**
 * The tap device a bridge NIC needs: created owned by the user who runs qemu, attached to the
 * bridge and up; removed again when the VM stops. The commands are here (the exported start
 * script shows them); the taps themselves are made as a journaled change (tap-plans.ts: the
 * create-tap/remove-tap ops, through the helper when not root), never beside the journal.
 */

export function tapAddCommands(tap: string, bridge: string, uid: number): string[][] {
  return [
    ['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', String(uid)],
    ['ip', 'link', 'set', 'dev', tap, 'master', bridge, 'up'],
  ];
}

export function tapDelCommand(tap: string): string[] {
  return ['ip', 'link', 'delete', 'dev', tap];
}

/** How a VM gets its taps: made and removed around its qemu by the supervisor. */
export interface TapManager {
  /** Makes each tap exist on its bridge; returns the taps it created (ours to remove later). */
  create(vm: string, taps: { tap: string; bridge: string }[], uid: number): Promise<string[]>;
  remove(vm: string, taps: string[]): Promise<void>;
}
