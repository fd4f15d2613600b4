/**
 * Pages and their URL hash (#/devices). Hash routing works from file:// in Electron and
 * lets tests open a page directly.
 */
export const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'devices', label: 'Devices' },
  { id: 'groups', label: 'IOMMU groups' },
  { id: 'network', label: 'Network' },
  { id: 'topology', label: 'Topology' },
  { id: 'vms', label: 'VMs' },
  { id: 'history', label: 'History' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export interface Route {
  page: PageId;
  /** Device to select on the Devices page, e.g. #/devices/0000:01:00.0 */
  device: string | null;
}

const ADDRESS = /^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** The percent-decoded text, or null when it is not valid percent-encoding (a crafted link). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const [page, device] = hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.find((p) => p.id === page);
  if (!known) return { page: 'overview', device: null };
  const addr = device ? decoded(device)?.toLowerCase() : null;
  return { page: known.id, device: known.id === 'devices' && addr && ADDRESS.test(addr) ? addr : null };
}

export function formatHash(route: Route): string {
  return route.device && route.page === 'devices' ? `#/devices/${route.device}` : `#/${route.page}`;
}

export function pageLabel(id: PageId): string {
  return PAGES.find((p) => p.id === id)?.label ?? id;
}
