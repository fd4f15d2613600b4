/** Interface ordering and the words for why an interface is the management one. */
import type { NetInterface } from '#shared/model';
import { compareText } from './device-sort';

const KIND_ORDER: Record<NetInterface['kind'], number> = {
  physical: 0,
  bond: 1,
  bridge: 2,
  vlan: 3,
  virtual: 4,
  tap: 5,
  loopback: 6,
};

/** Management first, then physical NICs, then software interfaces; by name within each. */
export function sortInterfaces(list: readonly NetInterface[]): NetInterface[] {
  return [...list].sort((a, b) => Number(b.management) - Number(a.management) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareText(a.name, b.name));
}

/** "carries the default route", or names the bridge/bond that does. */
export function managementReason(i: NetInterface, all: readonly NetInterface[]): string {
  if (i.defaultRoute.ipv4 || i.defaultRoute.ipv6) return 'carries the default route';
  const master = i.master ? all.find((m) => m.name === i.master) : undefined;
  if (master) return `port of ${master.name}, which carries the default route`;
  return 'carries the host\u2019s management traffic';
}
