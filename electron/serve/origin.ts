/**
 * Which origin a request to `passthru serve` came from, and whether the server answers it at
 * all. Whatever address it listens on, it only answers requests whose Host header names a
 * loopback address or a name it was given (the --listen address; beyond loopback also this
 * machine's hostname and the names in the TLS certificate), and only accepts WebSockets whose
 * Origin is exactly that same `SCHEME://HOST:PORT` — so a name that merely resolves to this
 * machine (DNS rebinding) is refused, and only a page this server served, as the browser
 * addressed it, can call the handlers.
 */
import { X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { bracketedIPv6, reachesTheNetwork, urlHost, type ListenAddress } from './listen-address';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export interface HostRules {
  scheme: 'http' | 'https';
  /** Names the Host header may carry: lower case, IPv6 in brackets. */
  names: ReadonlySet<string>;
  /** The port the Host header must carry, or null for any (a forwarder — ssh -L, qemu's hostfwd — puts the browser on a port of its own). */
  port(): number | null;
}

export function hostRules(address: ListenAddress, options: { tls: boolean; ownPort: () => number; extraNames?: readonly string[] }): HostRules {
  const names = new Set(LOOPBACK_NAMES);
  if (address.kind === 'tcp' && !address.wildcard) names.add(urlHost(address, '').toLowerCase());
  if (reachesTheNetwork(address)) for (const name of options.extraNames ?? []) names.add(name.toLowerCase());
  // On loopback the browser is on this machine and uses our port; through a unix socket or
  // from the network, something in between may map it to another.
  const anyPort = address.kind === 'unix' || !address.loopback;
  return { scheme: options.tls ? 'https' : 'http', names, port: anyPort ? () => null : options.ownPort };
}

/**
 * The origin (`http://HOST:PORT`, without the scheme's default port, as browsers write it)
 * the browser used, from the request's Host header, or null when that Host is not one this
 * server answers to.
 */
export function originFor(hostHeader: string | undefined, rules: HostRules): string | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hostHeader ?? '');
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const defaultPort = rules.scheme === 'https' ? 443 : 80;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  const wanted = rules.port();
  const portOk = wanted === null ? port > 0 && port < 65536 : port === wanted;
  if (!rules.names.has(name) || !portOk) return null;
  return `${rules.scheme}://${name}${port === defaultPort ? '' : `:${port}`}`;
}

/** The exact names (DNS names, IP addresses) a certificate is valid for: the names a browser may rightly use. */
export function certificateNames(certPem: Buffer | string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  const names: string[] = [];
  for (const entry of san.split(/,\s*/)) {
    const dns = /^DNS:([A-Za-z0-9.-]+)$/.exec(entry);
    if (dns) names.push(dns[1]!);
    const ip = /^IP Address:([0-9A-Fa-f:.]+)$/.exec(entry);
    if (ip) names.push(isIPv6(ip[1]!) ? bracketedIPv6(ip[1]!) : ip[1]!);
  }
  return names;
}
