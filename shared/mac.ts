/**
 * MAC addresses for VFs, shared by the GUI (validation as the user types, the generator) and
 * the host side (which checks again before anything reaches `ip link`).
 */

const SIX_PAIRS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
export const ZERO_MAC = '00:00:00:00:00:00';

/** Lower-case, colon-separated form, or null when `text` is not six hex pairs (`-` separators accepted). */
export function normalizeMac(text: string): string | null {
  const mac = text.trim().toLowerCase().replace(/-/g, ':');
  return SIX_PAIRS.test(mac) ? mac : null;
}

/**
 * Why `text` cannot be a VF's MAC, or null when it can. Multicast (01:00:5e:…, the low bit of
 * the first octet set) and broadcast addresses are refused by every PF driver; all zeros is
 * allowed only where clearing is meant (`allowZero`).
 */
export function macProblem(text: string, options: { allowZero?: boolean } = {}): string | null {
  const mac = normalizeMac(text);
  if (mac === null) return `${JSON.stringify(text)} is not a MAC address (six hex pairs such as 02:00:00:00:00:01).`;
  if (mac === ZERO_MAC) return options.allowZero ? null : 'All zeros is not a usable MAC address.';
  if (parseInt(mac.slice(0, 2), 16) & 1) return `${mac} is a multicast (or broadcast) address; a NIC needs a unicast one (first octet even).`;
  return null;
}

/**
 * A random unicast, locally administered MAC (first octet x2, x6, xA or xE): it cannot clash
 * with a vendor-assigned address. `random` fills a byte array (crypto.getRandomValues).
 */
export function randomLocalMac(random: (bytes: Uint8Array) => Uint8Array = (b) => globalThis.crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(6));
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
