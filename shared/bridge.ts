/**
 * Bridging a host NIC for VMs: what a bridge plan says it found and what it moves. The bridge
 * takes the NIC's identity (its MAC, addresses, routes, DNS), and the change goes through the
 * network stack that manages the NIC — never behind its back.
 */

/** The software that configures an interface; 'none' when nothing recognisable does. */
export type NetworkStack = 'ifupdown' | 'NetworkManager' | 'systemd-networkd' | 'netplan' | 'none';

export const NETWORK_STACK_NAMES: Record<NetworkStack, string> = {
  ifupdown: 'ifupdown (/etc/network/interfaces)',
  NetworkManager: 'NetworkManager',
  'systemd-networkd': 'systemd-networkd',
  netplan: 'netplan',
  none: 'no network stack Passthru recognises',
};

export interface FoundAddress {
  /** CIDR, e.g. 192.0.2.10/24. */
  address: string;
  family: 'ipv4' | 'ipv6';
  /** Handed out by DHCP or SLAAC (it has a lifetime), not set by hand. */
  dynamic: boolean;
}

export interface FoundRoute {
  /** `default` or a CIDR. */
  destination: string;
  gateway: string | null;
  family: 'ipv4' | 'ipv6';
}

export interface BridgePlanDetail {
  action: 'create' | 'remove';
  bridge: string;
  /** The NIC made a port (create) or given its configuration back (remove). */
  port: string;
  stack: NetworkStack;
  /** How the stack was recognised, in plain words. */
  stackEvidence: string;
  /** The MAC the bridge carries (the port's, so DHCP hands out the same lease). */
  mac: string | null;
  /** Configured how: by the stack's DHCP client, by hand, both, or not at all. */
  addressing: 'static' | 'dhcp' | 'static and dhcp' | 'none';
  /** Addresses and routes on the interface that now holds them (the port, or the bridge to remove). */
  addresses: FoundAddress[];
  routes: FoundRoute[];
  /** DNS servers and search domains the stack's configuration names for the interface. */
  dns: string[];
  /**
   * Whether the session that asked reaches the host through this interface: true, false, or
   * null when unknown (no address for the session was given).
   */
  session: boolean | null;
}
