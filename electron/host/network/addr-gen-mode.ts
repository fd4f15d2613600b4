/**
 * How the kernel makes an interface's IPv6 link-local address (net.ipv6.conf.IFACE.addr_gen_mode).
 * bridge-utils sets a port's to "none" and nothing sets it back, so a bridge plan records it
 * and its undo restores it: without it the NIC has no link-local address, and no SLAAC.
 */
import { ADDR_GEN_MODES, type AddrGenMode } from '#shared/plan';
import type { HostFs } from '../fs/host-fs';

/** The mode of `iface` (`default`: what new interfaces get), or null when it has no IPv6 configuration. */
export function addrGenModeOf(fs: Pick<HostFs, 'readText'>, iface: string): AddrGenMode | null {
  const text = fs.readText(`/proc/sys/net/ipv6/conf/${iface}/addr_gen_mode`)?.trim() ?? '';
  return /^\d$/.test(text) ? (ADDR_GEN_MODES[Number(text)] ?? null) : null;
}
