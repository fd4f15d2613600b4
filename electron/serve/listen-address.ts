/**
 * Where `passthru serve` listens (`--listen`), and what that means for who can reach it: a
 * loopback address (the default, 127.0.0.1) is this machine only, reached from elsewhere
 * through `ssh -L`; a unix socket is whoever may open the file (created 0600, so its owner);
 * any other address is the network, where the token, the session cookie and the host's data
 * would cross in clear without TLS — so that needs a certificate.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { badInput } from '#shared/errors';

/** The default port: fixed, so the address and an `ssh -L` line stay the same from one start to the next. */
export const DEFAULT_PORT = 8417;

export type ListenAddress =
  | {
      kind: 'tcp';
      /** As given, without brackets: `127.0.0.1`, `::1`, `0.0.0.0`, `localhost`. */
      host: string;
      /** Only this machine can connect. */
      loopback: boolean;
      /** Every address of this machine (`0.0.0.0`, `::`). */
      wildcard: boolean;
    }
  | { kind: 'unix'; path: string };

const REMEDY = 'Give an IP address of this machine (127.0.0.1 by default), localhost, or unix:PATH.';

/** `--listen` as given: an IP address, `localhost`, or `unix:PATH`. */
export function parseListen(value: string): ListenAddress {
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length);
    if (path === '') throw badInput('--listen unix: names no socket path.', 'Give unix:PATH, for example unix:/run/user/1000/passthru.sock.');
    return { kind: 'unix', path: resolve(path) };
  }
  const host = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (host.toLowerCase() === 'localhost') return { kind: 'tcp', host: 'localhost', loopback: true, wildcard: false };
  if (!isIPv4(host) && !isIPv6(host)) throw badInput(`--listen ${value} is not an IP address, localhost or unix:PATH.`, REMEDY);
  return { kind: 'tcp', host, loopback: isLoopbackIp(host), wildcard: host === '0.0.0.0' || (isIPv6(host) && normalIPv6(host) === '::') };
}

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x (::ffff:127.0.0.1), in any spelling. */
export function isLoopbackIp(host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (!isIPv6(host)) return false;
  const v6 = normalIPv6(host);
  if (v6 === '::1') return true;
  // IPv4-mapped: the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(v6);
  return mapped !== null && parseInt(mapped[1]!, 16) >> 8 === 127;
}

/** An IPv6 address in its one canonical spelling (lower case, zeros compressed), as browsers write it. */
function normalIPv6(host: string): string {
  return new URL(`http://[${host}]/`).hostname.slice(1, -1);
}

/** An IPv6 address as it goes in a URL or a Host header: canonical, in brackets. */
export function bracketedIPv6(host: string): string {
  return `[${normalIPv6(host)}]`;
}

/** Whether a browser on another machine could reach this address (so the traffic needs TLS). */
export function reachesTheNetwork(address: ListenAddress): boolean {
  return address.kind === 'tcp' && !address.loopback;
}

/** The address as it goes in a URL's host: IPv6 in brackets; the wildcard as `shownHost`. */
export function urlHost(address: Extract<ListenAddress, { kind: 'tcp' }>, shownHost: string): string {
  const host = address.wildcard ? shownHost : address.host;
  return isIPv6(host) ? bracketedIPv6(host) : host;
}
