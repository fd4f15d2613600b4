/**
 * Confirm or revert: how a risky network change (a bridge over the NIC a session comes through)
 * is kept only when the user can still reach the host. The plan names a window and the checks
 * that are run from the host's side once its steps are done; the change then waits for a
 * confirmation, and a timer held by root (not by the window, process or connection that applied
 * it) puts everything back when none comes in time or when a check fails.
 */

/** One thing checked from the host's side after the steps are done, before the user is asked. */
export type LiveCheck =
  /** The interface is up and has a carrier (operstate up, or unknown for a bridge with no STP). */
  | { check: 'link-up'; iface: string }
  /** This address (CIDR) is on the interface. */
  | { check: 'address'; iface: string; address: string }
  /** Some address of this family is on the interface (a DHCP lease, which may differ). */
  | { check: 'any-address'; iface: string; family: 'ipv4' | 'ipv6' }
  /** The default route of this family leaves through the interface. */
  | { check: 'default-route'; iface: string; family: 'ipv4' | 'ipv6' }
  /** The gateway answers on the interface (its neighbour entry resolves after a ping). */
  | { check: 'gateway-answers'; iface: string; gateway: string };

/** What a plan asks of confirm-or-revert: how long the user has, and what is checked first. */
export interface ConfirmWindow {
  /** Seconds from the end of the checks until the change is put back unless confirmed. */
  seconds: number;
  checks: LiveCheck[];
}

export const CONFIRM_SECONDS = { min: 30, default: 120, max: 3600 } as const;

export interface LiveCheckResult {
  check: LiveCheck;
  ok: boolean;
  /** What was found, in plain words. */
  detail: string;
}

/**
 * Where a change that waits for confirmation stands. pending: applied, the timer runs;
 * confirmed: kept; reverting: the timer (or a failed check) is putting it back; reverted: put back.
 */
export type ConfirmState = 'pending' | 'confirmed' | 'reverting' | 'reverted';

/** The journaled state of a change under confirm-or-revert. */
export interface PendingConfirm {
  state: ConfirmState;
  /** When the timer puts the change back (ISO time); set once the steps are done. */
  deadline: string;
  seconds: number;
  /** Why it was put back (a check that failed, no confirmation in time); null otherwise. */
  reason: string | null;
}

/** Words for one check, the same in the plan, the CLI and the GUI. */
export function describeLiveCheck(c: LiveCheck): string {
  switch (c.check) {
    case 'link-up':
      return `${c.iface} is up`;
    case 'address':
      return `${c.iface} has the address ${c.address}`;
    case 'any-address':
      return `${c.iface} gets an ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`;
    case 'default-route':
      return `the ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} default route leaves through ${c.iface}`;
    case 'gateway-answers':
      return `the gateway ${c.gateway} answers on ${c.iface}`;
  }
}

/** Where a change under confirm-or-revert stands, in words (the history, CLI and GUI alike). */
export function describePendingConfirm(c: PendingConfirm): string {
  switch (c.state) {
    case 'pending':
      return `waiting for a confirmation until ${c.deadline}; put back by itself otherwise`;
    case 'confirmed':
      return 'confirmed: kept';
    case 'reverting':
      return `being put back${c.reason ? `: ${c.reason}` : ''}`;
    case 'reverted':
      return `put back${c.reason ? `: ${c.reason}` : ''}`;
  }
}
