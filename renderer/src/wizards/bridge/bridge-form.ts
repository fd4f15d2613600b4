/** The bridge wizard's settings, checked as the user types (the host checks them again when it plans). */
import { CONFIRM_SECONDS } from '#shared/confirm-window';
import type { NetInterface } from '#shared/model';
import { IFNAME_PATTERN } from '#shared/vm-names';

export interface BridgeFormValues {
  bridge: string;
  /** The NIC to bridge (create only; chosen in the form when the wizard was opened without one). */
  port: string;
  seconds: string;
}

/** The first brN no interface has, as the name to offer. */
export function freeBridgeName(taken: readonly string[]): string {
  for (let n = 0; ; n++) if (!taken.includes(`br${n}`)) return `br${n}`;
}

export function bridgeNameProblem(name: string, taken: readonly string[]): string | null {
  if (name === '') return 'Give the bridge a name.';
  if (!IFNAME_PATTERN.test(name)) return 'Up to 15 letters, digits, _ . or -, not starting with . or -.';
  if (taken.includes(name)) return `An interface named ${name} exists already.`;
  return null;
}

export function secondsProblem(text: string): string | null {
  if (!/^\d{1,4}$/.test(text)) return 'A whole number of seconds.';
  const n = Number(text);
  return n < CONFIRM_SECONDS.min || n > CONFIRM_SECONDS.max ? `Between ${CONFIRM_SECONDS.min} and ${CONFIRM_SECONDS.max} seconds.` : null;
}

/**
 * Why a NIC cannot be bridged, before the user opens the wizard: null when it can be offered,
 * undefined when bridging does not apply to this kind of interface at all (loopback, taps, VLANs…).
 * The host decides the rest when it plans (its network stack, Wi-Fi).
 */
export function bridgeRefusal(i: Pick<NetInterface, 'kind' | 'master'>): string | null | undefined {
  // A NIC, a bond, a VLAN or a veth can be a port; a bridge has its own action, a tap is a VM's.
  if (i.kind === 'loopback' || i.kind === 'bridge' || i.kind === 'tap') return undefined;
  if (i.master) return `It is a port of ${i.master}.`;
  return null;
}

/** The NICs a bridge could be made over, the one with the default route first (the write-up's br0 over the main NIC). */
export function bridgePortCandidates(interfaces: readonly NetInterface[]): NetInterface[] {
  return interfaces
    .filter((i) => bridgeRefusal(i) === null)
    .sort((a, b) => Number(b.defaultRoute.ipv4 || b.defaultRoute.ipv6) - Number(a.defaultRoute.ipv4 || a.defaultRoute.ipv6));
}
