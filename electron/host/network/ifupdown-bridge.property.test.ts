import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTERFACES } from '../testing/interfaces-samples';
import { bridgeInInterfaces, unbridgeInInterfaces } from './ifupdown-bridge';
import { parseInterfaces } from './interfaces-syntax';

const PORT = 'eth0';
const BRIDGE = 'vmbr0';
const MAC = '02:11:22:33:44:55';

const indent = fc.constantFrom('', '\t', '  ', '    ', '\t\t');
const comment = fc.constantFrom('# a comment', '#', '   # indented', '# auto eth0 (only a comment)', '#iface eth0 inet static', '# ends in a backslash \\');
const blank = fc.constantFrom('', '   ', '\t');
const word = fc.stringMatching(/^[a-z0-9][a-z0-9.:/-]{0,11}$/).filter((w) => w !== PORT && w !== BRIDGE);

/** An option line, sometimes continued onto a second physical line. */
const option = (names: readonly string[]) =>
  fc.tuple(fc.constantFrom(...names), word, fc.option(word, { nil: undefined }), fc.boolean()).map(([name, value, more, continued]) => (ind: string) => {
    if (more === undefined) return `${ind}${name} ${value}`;
    return continued ? `${ind}${name} ${value} \\\n${ind}  ${more}` : `${ind}${name} ${value} ${more}`;
  });

const OTHER_NAMES = ['lo', 'eth1', 'enp2s0', 'wlan0', 'bond0', 'br9'];
const OTHER_OPTIONS = ['address', 'gateway', 'mtu', 'up', 'post-down', 'bridge_ports', 'bond-slaves', 'wpa-ssid', 'hwaddress', 'dns-search'];

/** Anything the NIC's stanzas may sit among: comments, blank lines, auto lines, other interfaces, a mapping. */
const otherBlock = fc.oneof(
  comment.map((c) => [c]),
  blank.map((b) => [b]),
  fc.subarray(OTHER_NAMES, { minLength: 1 }).map((names) => [`auto ${names.join(' ')}`]),
  fc.constantFrom(...OTHER_NAMES).map((name) => [`allow-hotplug ${name}`]),
  fc
    .tuple(
      fc.constantFrom(...OTHER_NAMES),
      fc.constantFrom('inet static', 'inet dhcp', 'inet manual', 'inet6 auto', 'inet loopback'),
      indent,
      fc.array(option(OTHER_OPTIONS), { maxLength: 4 }),
    )
    .map(([name, how, ind, options]) => [`iface ${name} ${how}`, ...options.map((o) => o(ind))]),
  fc.constant(['mapping wlan*', '  script /usr/local/sbin/guess-net']),
);
const otherBlocks = fc.array(otherBlock, { maxLength: 6 }).map((blocks) => blocks.flat());

const INET_OPTIONS: Record<string, string[]> = {
  static: ['address', 'netmask', 'gateway', 'broadcast', 'metric', 'mtu', 'scope', 'dns-nameservers', 'dns-search', 'dns_domain'],
  dhcp: ['hostname', 'metric', 'client', 'leasetime', 'dns-search'],
  manual: ['mtu'],
};
const INET6_OPTIONS: Record<string, string[]> = {
  static: ['address', 'netmask', 'gateway', 'accept_ra', 'autoconf', 'privext', 'dad-attempts', 'mtu'],
  dhcp: ['accept_ra', 'autoconf', 'request_prefix'],
  auto: ['accept_ra', 'privext', 'dhcp', 'll-attempts'],
  manual: ['mtu'],
};

/** One stanza of the NIC: options (and comments) in random order, and perhaps a hwaddress line. */
const portStanza = (family: 'inet' | 'inet6', methods: Record<string, string[]>) =>
  fc.constantFrom(...Object.keys(methods)).chain((method) =>
    fc
      .tuple(
        indent,
        fc.array(
          fc.oneof(
            option(methods[method] ?? []),
            comment.map((c) => () => c),
          ),
          { maxLength: 6 },
        ),
      )
      .map(([ind, lines]) => ({
        family,
        method,
        lines: (withHw: boolean) => [`iface ${PORT} ${family} ${method}`, ...lines.map((l) => l(ind)), ...(withHw ? [`${ind}hwaddress ${MAC}`] : [])],
      })),
  );

/** A file with the NIC configured for inet, inet6 or both (an inet manual stanza next to inet6 is ambiguous on the way back, so left out). */
const interfacesFile = fc
  .record({
    inet: fc.option(portStanza('inet', INET_OPTIONS), { nil: undefined }),
    inet6: fc.option(portStanza('inet6', INET6_OPTIONS), { nil: undefined }),
    hwaddressIn: fc.constantFrom('none', 'inet', 'inet6'),
    autoLine: fc.constantFrom(`auto ${PORT}`, `allow-hotplug ${PORT}`, `auto lo ${PORT}`),
    before: otherBlocks,
    between: otherBlocks,
    after: otherBlocks,
    inet6First: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .filter(({ inet, inet6 }) => (inet !== undefined || inet6 !== undefined) && !(inet?.method === 'manual' && inet6 !== undefined))
  .map(({ inet, inet6, hwaddressIn, autoLine, before, between, after, inet6First, finalNewline }) => {
    const inetLines = inet?.lines(hwaddressIn === 'inet' || (hwaddressIn === 'inet6' && !inet6)) ?? [];
    const inet6Lines = inet6?.lines(hwaddressIn === 'inet6' || (hwaddressIn === 'inet' && !inet)) ?? [];
    const [first, second] = inet6First ? [inet6Lines, inetLines] : [inetLines, inet6Lines];
    const lines = [...before, autoLine, ...first, ...between, ...second, ...after];
    return lines.join('\n') + (finalNewline ? '\n' : '');
  });

/** The physical lines of the stanzas of `name`, their headers and options. */
function stanzaLines(text: string, name: string): Set<number> {
  const parsed = parseInterfaces(INTERFACES, text);
  const lines = new Set<number>();
  for (const s of parsed.ifaces.filter((i) => i.name === name)) {
    for (const l of [s.header, ...s.options]) for (let i = l.first; i <= l.last; i++) lines.add(i);
  }
  return lines;
}

/** Every non-blank line that belongs to none of these interfaces' stanzas, in order: comments, other stanzas, auto lines. */
function rest(text: string, names: readonly string[], drop: readonly string[] = []): string[] {
  const owned = new Set(names.flatMap((n) => [...stanzaLines(text, n)]));
  return text.split('\n').filter((line, i) => !owned.has(i) && line.trim() !== '' && !drop.includes(line));
}

/** Each of the NIC's stanzas as its family, method and options (hwaddress aside: it stays on the NIC wherever it was). */
function portConfig(text: string, name: string) {
  const stanzas = parseInterfaces(INTERFACES, text).ifaces.filter((i) => i.name === name);
  return {
    stanzas: stanzas
      .sort((a, b) => a.family.localeCompare(b.family))
      .map((s) => ({ family: s.family, method: s.method, options: s.options.filter((o) => o.key !== 'hwaddress').map((o) => `${o.name} ${o.rest}`) })),
    hwaddress: stanzas.flatMap((s) => s.options.filter((o) => o.key === 'hwaddress').map((o) => o.rest)),
  };
}

describe('bridging and unbridging generated interfaces files', () => {
  it('unbridge(bridge(file)) configures the NIC as before and leaves every other line as it was', () => {
    fc.assert(
      fc.property(interfacesFile, (text) => {
        const files = [{ path: INTERFACES, text }];
        const bridged = bridgeInInterfaces(files, { port: PORT, bridge: BRIDGE, mac: MAC });
        if (!bridged.ok) throw new Error(`${bridged.reason}\n${text}`);
        expect(rest(bridged.after, [PORT, BRIDGE], [`auto ${BRIDGE}`])).toEqual(rest(text, [PORT]));
        expect(bridgeInInterfaces([{ path: INTERFACES, text: bridged.after }], { port: PORT, bridge: BRIDGE, mac: MAC })).toMatchObject({ ok: false });

        const restored = unbridgeInInterfaces([{ path: INTERFACES, text: bridged.after }], { bridge: BRIDGE });
        if (!restored.ok) throw new Error(`${restored.reason}\n${bridged.after}`);
        expect(restored.port).toBe(PORT);
        expect(portConfig(restored.after, PORT)).toEqual(portConfig(text, PORT));
        expect(rest(restored.after, [PORT])).toEqual(rest(text, [PORT]));
        expect(parseInterfaces(INTERFACES, restored.after).error).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("gives the bridge the NIC's methods and options and the NIC only inet manual (and its hwaddress)", () => {
    fc.assert(
      fc.property(interfacesFile, (text) => {
        const bridged = bridgeInInterfaces([{ path: INTERFACES, text }], { port: PORT, bridge: BRIDGE, mac: MAC });
        if (!bridged.ok) throw new Error(bridged.reason);
        const before = portConfig(text, PORT);
        const port = portConfig(bridged.after, PORT);
        const bridge = portConfig(bridged.after, BRIDGE);
        expect(port).toEqual({ stanzas: [{ family: 'inet', method: 'manual', options: [] }], hwaddress: before.hwaddress });
        const inet = before.stanzas.find((s) => s.family === 'inet');
        const inet6 = before.stanzas.find((s) => s.family === 'inet6');
        expect(bridge.stanzas[0]).toEqual({
          family: 'inet',
          method: inet?.method ?? 'manual',
          options: [
            ...(inet?.options ?? []),
            `bridge_ports ${PORT}`,
            `bridge_hw ${MAC}`,
            'bridge_stp off',
            'bridge_fd 0',
            'bridge_maxwait 0',
            `post-up ip link set dev ${BRIDGE} type bridge mcast_snooping 0`,
          ],
        });
        expect(bridge.stanzas.slice(1)).toEqual(inet6 ? [inet6] : []);
        expect(bridged.options).toEqual([...(inet?.options ?? []), ...(inet6?.options ?? [])]);
        expect(parseInterfaces(INTERFACES, bridged.after).error).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
