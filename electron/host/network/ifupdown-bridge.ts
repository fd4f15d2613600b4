/**
 * Bridging a NIC in Debian's ifupdown configuration the way Proxmox's vmbr0 is made, so VMs
 * can share the host's link: the bridge takes the NIC's identity (its MAC through
 * `bridge_hw`, its inet and inet6 methods and options) and the NIC becomes its one port with
 * `inet manual`; bridge-utils' ifupdown hook (bridge_ports, bridge_hw, ...) builds it at ifup.
 * STP off, no forward delay and no waiting, because a single-port bridge has no loop to find
 * and the host's network must come back at once; multicast snooping off, so VMs see IPv6
 * neighbour discovery and mDNS. Pure text in, text out: the caller reads and writes the file.
 *
 * Anything Passthru cannot move with certainty is refused with the reason rather than guessed
 * at; the edit touches only the NIC's stanzas and adds the bridge's right after them, so every
 * other byte of the file (comments, other stanzas, the NIC's `auto` line) stays as it was.
 */
import { macProblem } from '#shared/mac';
import type { InterfacesFile } from './interfaces-files';
import { indentOf, interfaceNameProblem, LineEdits, physical, stanzaEnd, type OptionLine, type ParsedInterfaces } from './interfaces-syntax';
import {
  enslaverOf,
  inheritorOf,
  lineEndingOf,
  listsNaming,
  mappingOf,
  mcastSnoopingLine,
  optionText,
  parseAll,
  PORT_SELECTORS,
  refuse,
  stanzasOf,
  stanzasProblem,
  vlansOn,
  type IfupdownEdit,
} from './ifupdown-rules';

export { readInterfacesFiles, INTERFACES_PATH, type InterfacesFile } from './interfaces-files';
export { unbridgeInInterfaces, type IfupdownUnbridgeEdit } from './ifupdown-unbridge';
export type { IfupdownChange, IfupdownEdit, IfupdownRefusal } from './ifupdown-rules';

const SIX_LOWER_HEX_PAIRS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const DEFAULT_INDENT = '    ';

/** Options that describe the NIC itself and stay on it: the bridge's MAC comes from `bridge_hw`. */
function staysOnPort(option: OptionLine): boolean {
  return option.key === 'hwaddress';
}

/** Options of a Wi-Fi client: a NIC associated with an access point cannot forward other machines' frames. */
function isWirelessClient(option: OptionLine): boolean {
  return option.key.startsWith('wpa-') || option.key.startsWith('wireless-');
}

/** The bridge-utils lines of a bridge Passthru makes. */
function bridgeLines(o: { port: string; bridge: string; mac: string }): string[] {
  return [`bridge_ports ${o.port}`, `bridge_hw ${o.mac}`, 'bridge_stp off', 'bridge_fd 0', 'bridge_maxwait 0', mcastSnoopingLine(o.bridge)];
}

/** The indentation of the NIC's options, else of any option in the file, else four spaces. */
function indentFor(file: ParsedInterfaces, preferred: readonly OptionLine[]): string {
  const indented = (options: readonly OptionLine[]) => options.map((o) => indentOf(file.lines[o.first] ?? '')).find((i) => i !== '');
  return indented(preferred) ?? indented(file.ifaces.flatMap((s) => s.options)) ?? DEFAULT_INDENT;
}

/** Why these inputs cannot be written into an interfaces file, or null. */
function inputProblem(o: { port: string; bridge: string; mac: string }): IfupdownEdit | null {
  for (const name of [o.port, o.bridge]) {
    const problem = interfaceNameProblem(name);
    if (problem) return refuse(problem, 'Choose a valid interface name.');
  }
  if (PORT_SELECTORS.has(o.port)) return refuse(`bridge_ports ${o.port} would not name the NIC ${o.port} but pick ports another way.`, 'Rename the NIC first.');
  if (o.port === o.bridge) return refuse(`The bridge cannot have the name of its port (${o.port}).`, 'Choose another bridge name, such as vmbr0.');
  if (!SIX_LOWER_HEX_PAIRS.test(o.mac))
    return refuse(`${JSON.stringify(o.mac)} is not a MAC address in the form aa:bb:cc:dd:ee:ff.`, "Pass the NIC's MAC in lower case, colon separated.");
  const macIssue = macProblem(o.mac);
  return macIssue ? refuse(macIssue, "Pass the NIC's own unicast MAC.") : null;
}

/** Why the configuration around the NIC keeps Passthru from bridging it, or null. */
function configurationProblem(files: readonly ParsedInterfaces[], port: string, bridge: string): IfupdownEdit | null {
  const bridgeStanza = stanzasOf(files, bridge)[0];
  if (bridgeStanza) return refuse(`There is already an "iface ${bridge}" stanza in ${bridgeStanza.file.path}.`, 'Choose another bridge name, or remove that stanza first.');
  const bridgeListed = listsNaming(files, bridge)[0];
  if (bridgeListed)
    return refuse(
      `${bridge} is already named on a "${bridgeListed.item.keyword}" line in ${bridgeListed.file.path}.`,
      'Choose another bridge name, or remove it from that line first.',
    );
  const enslaver = enslaverOf(files, port);
  if (enslaver) {
    const { stanza, option } = enslaver.item;
    return refuse(
      `${port} is already a port of ${stanza.name} (${option.name} in ${enslaver.file.path}).`,
      `Give VMs a bridge on ${stanza.name} instead, or take ${port} out of it first.`,
    );
  }
  const mapping = mappingOf(files, port);
  if (mapping) return refuse(`A mapping stanza in ${mapping.file.path} maps ${port} to another logical interface.`, 'Bridge the NIC by hand, or remove the mapping first.');
  const special = listsNaming(files, port).find(({ item }) => item.keyword === 'no-auto-down' || item.keyword === 'rename');
  if (special) return refuse(`${port} is named on a "${special.item.keyword}" line in ${special.file.path}, which the bridge would not inherit.`, 'Bridge the NIC by hand.');
  const vlan = vlansOn(files, port)[0];
  if (vlan)
    return refuse(
      `${vlan.item.name} in ${vlan.file.path} is a VLAN on ${port}, and would stay on the bridge's port.`,
      `Bridge the NIC by hand, moving ${vlan.item.name} onto the bridge.`,
    );
  const inheritor = inheritorOf(files, port);
  if (inheritor)
    return refuse(
      `"iface ${inheritor.item.name}" in ${inheritor.file.path} inherits the options of ${port}, which would move to the bridge.`,
      'Write those options into it first.',
    );
  return null;
}

/** Edits the file that configures `port` so that a new bridge `bridge` (with MAC `mac`) carries its addresses and `port` is its one port. */
export function bridgeInInterfaces(files: InterfacesFile[], o: { port: string; bridge: string; mac: string }): IfupdownEdit {
  const { port, bridge } = o;
  const invalid = inputProblem(o);
  if (invalid) return invalid;
  const parsed = parseAll(files);
  if (!Array.isArray(parsed)) return parsed;
  const portStanzas = stanzasOf(parsed, port);
  const first = portStanzas[0];
  if (first === undefined) {
    return refuse(
      `ifupdown does not configure ${port}: no "iface ${port}" stanza in ${files.map((f) => f.path).join(', ') || '/etc/network/interfaces'}.`,
      'Bridge it with the tool that configures it, or add an iface stanza for it first.',
    );
  }
  const file = first.file;
  const elsewhere = portStanzas.find((s) => s.file !== file);
  if (elsewhere) return refuse(`${port} is configured in two files, ${file.path} and ${elsewhere.file.path}.`, 'Move its stanzas into one file first.');
  const conflict = configurationProblem(parsed, port, bridge) ?? stanzasProblem(portStanzas);
  if (conflict) return conflict;
  const stanzas = portStanzas.map((s) => s.item);
  const wireless = stanzas.flatMap((s) => s.options).find(isWirelessClient);
  if (wireless)
    return refuse(
      `${port} is a Wi-Fi client (${wireless.name}), and an access point drops frames from MACs it did not associate.`,
      'Bridge a wired NIC, or route the VMs instead.',
    );
  const kept = stanzas.flatMap((s) => s.options).filter(staysOnPort);
  if (kept.length > 1) return refuse(`${port} sets its hwaddress ${kept.length} times.`, 'Keep a single hwaddress line first.');

  const eol = lineEndingOf(file);
  const edits = new LineEdits(file.lines);
  const portStanza = first.item;
  edits.replace(portStanza.header.first, `${indentOf(file.lines[portStanza.header.first] ?? '')}iface ${port} inet manual${eol}`);
  for (let i = portStanza.header.first + 1; i <= portStanza.header.last; i++) edits.remove({ first: i, last: i });
  const carried: string[] = [];
  for (const stanza of stanzas) {
    if (stanza !== portStanza) edits.remove(stanza.header);
    for (const option of stanza.options) {
      if (stanza === portStanza && staysOnPort(option)) continue;
      edits.remove(option);
      if (stanza !== portStanza && staysOnPort(option)) carried.push(...physical(file, option));
    }
  }

  for (const stanza of stanzas) if (stanza !== portStanza) edits.removeBlankBefore(stanza.header.first);

  const inet = stanzas.find((s) => s.family === 'inet');
  const inet6 = stanzas.find((s) => s.family === 'inet6');
  const moved = (family: typeof inet) => (family?.options ?? []).filter((opt) => !staysOnPort(opt));
  const indent = indentFor(
    file,
    stanzas.flatMap((s) => s.options),
  );
  const written = (line: string) => line + eol;
  const added = [
    written(''),
    written(`auto ${bridge}`),
    written(`iface ${bridge} inet ${inet?.method ?? 'manual'}`),
    ...moved(inet).flatMap((opt) => physical(file, opt)),
    ...bridgeLines(o).map((line) => written(indent + line)),
    ...(inet6 ? [written(`iface ${bridge} inet6 ${inet6.method}`), ...moved(inet6).flatMap((opt) => physical(file, opt))] : []),
  ];
  edits.insertAfter(stanzaEnd(portStanza), [...carried, ...added]);

  return {
    ok: true,
    path: file.path,
    before: file.lines.join('\n'),
    after: edits.text(),
    inet: inet?.method ?? null,
    inet6: inet6?.method ?? null,
    options: [...moved(inet), ...moved(inet6)].map(optionText),
  };
}
