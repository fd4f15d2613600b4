/**
 * Which network stack manages an interface, read from the stacks' own files, so a change goes
 * through that stack and never behind its back. What each leaves behind:
 * - netplan: its YAML under /etc/netplan naming the interface (it then renders for networkd or
 *   NetworkManager, so it comes first);
 * - ifupdown: an `iface NAME …` stanza in /etc/network/interfaces or a file it sources;
 * - systemd-networkd: /run/systemd/netif/links/IFINDEX with the .network file applied;
 * - NetworkManager: /run/NetworkManager/devices/IFINDEX, saying whether it manages the device.
 */
import type { NetworkStack } from '#shared/bridge';
import type { HostFs } from '../fs/host-fs';

export interface StackFinding {
  stack: NetworkStack;
  /** How it was recognised, in plain words. */
  evidence: string;
  /** NetworkManager only: false when NM sees the device but does not manage it. */
  managed?: boolean;
}

/** The stanza line that configures `iface` in one of ifupdown's files, if any. */
export interface IfupdownSource {
  path: string;
  text: string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function netplanFinding(fs: HostFs, iface: string): StackFinding | null {
  const key = new RegExp(`^\\s+["']?${escapeRe(iface)}["']?\\s*:`, 'm');
  for (const name of fs.list('/etc/netplan')) {
    if (!/\.ya?ml$/.test(name)) continue;
    const text = fs.readText(`/etc/netplan/${name}`);
    if (text !== null && key.test(text)) return { stack: 'netplan', evidence: `/etc/netplan/${name} configures ${iface}.` };
  }
  return null;
}

function ifupdownFinding(files: readonly IfupdownSource[], iface: string): StackFinding | null {
  const stanza = new RegExp(`^\\s*iface\\s+${escapeRe(iface)}\\s+(inet6?)\\s+(\\S+)`, 'm');
  for (const f of files) {
    const m = stanza.exec(f.text);
    if (m) return { stack: 'ifupdown', evidence: `${f.path} has \`iface ${iface} ${m[1]} ${m[2]}\`.` };
  }
  return null;
}

function keyValues(text: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) map.set(m[1]!.toLowerCase(), m[2]!);
  }
  return map;
}

export function detectNetworkStack(fs: HostFs, iface: string, ifupdownFiles: readonly IfupdownSource[]): StackFinding {
  const found = netplanFinding(fs, iface) ?? ifupdownFinding(ifupdownFiles, iface);
  if (found) return found;
  const ifindex = fs.readText(`/sys/class/net/${iface}/ifindex`)?.trim() ?? '';
  if (/^\d+$/.test(ifindex)) {
    const networkd = keyValues(fs.readText(`/run/systemd/netif/links/${ifindex}`));
    const networkFile = networkd.get('network_file');
    if (networkFile && networkd.get('admin_state') !== 'unmanaged') {
      return { stack: 'systemd-networkd', evidence: `systemd-networkd configures ${iface} from ${networkFile}.` };
    }
    const nm = keyValues(fs.readText(`/run/NetworkManager/devices/${ifindex}`));
    if (nm.has('managed')) {
      const managed = nm.get('managed') === 'true';
      return { stack: 'NetworkManager', managed, evidence: managed ? `NetworkManager manages ${iface}.` : `NetworkManager sees ${iface} but does not manage it.` };
    }
  }
  return { stack: 'none', evidence: `Neither netplan, ifupdown, systemd-networkd nor NetworkManager says it configures ${iface}.` };
}
