/**
 * The reverse of ifupdown-bridge.ts: a bridge with exactly one port, made by Passthru or by
 * hand (Proxmox's vmbr0), gives its identity back to that port. The bridge's stanzas and its
 * `auto`/`allow-*` lines go; the port's `inet manual` stanza takes the bridge's method and
 * options, less everything only a bridge has (`bridge_*` and the multicast snooping line
 * Passthru adds); the inet6 stanza likewise. Refused, with the reason, whenever the bridge is
 * more than that (several ports, commands, VLANs on it), since moving it back would change
 * what the host does.
 */
import type { InterfacesFile } from './interfaces-files';
import { indentOf, interfaceNameProblem, LineEdits, physical, stanzaEnd, type IfaceStanza, type OptionLine, type ParsedInterfaces } from './interfaces-syntax';
import {
  isBroughtUp,
  inheritorOf,
  isHook,
  isMcastSnoopingLine,
  lineEndingOf,
  listsNaming,
  mappingOf,
  optionText,
  PORT_SELECTORS,
  parseAll,
  refuse,
  stanzasOf,
  stanzasProblem,
  vlansOn,
  type IfupdownChange,
  type IfupdownRefusal,
  type Located,
} from './ifupdown-rules';

export type IfupdownUnbridgeEdit = IfupdownRefusal | (IfupdownChange & { port: string });

/** What moves back to the port: everything but the bridge's own settings. */
function carriedBack(stanza: IfaceStanza, bridge: string): OptionLine[] {
  return stanza.options.filter((o) => !o.key.startsWith('bridge-') && !isMcastSnoopingLine(o, bridge));
}

/** The one port of `bridge`, or why there is not exactly one. */
function portOf(stanzas: ReadonlyArray<Located<IfaceStanza>>, bridge: string): string | IfupdownRefusal {
  const lines = stanzas.flatMap(({ item }) => item.options.filter((o) => o.key === 'bridge-ports'));
  const where = stanzas[0]?.file.path ?? '';
  const [line, ...more] = lines;
  if (line === undefined) return refuse(`${bridge} has no bridge_ports line in ${where}, so it is not a bridge ifupdown builds.`, 'Remove it by hand.');
  if (more.length > 0) return refuse(`${bridge} has ${lines.length} bridge_ports lines in ${where}.`, 'Keep one bridge_ports line, then try again.');
  const ports = line.words.slice(1);
  const port = ports[0];
  if (ports.length !== 1 || port === undefined)
    return refuse(`${bridge} has ${ports.length} ports (${ports.join(' ')}), and only a bridge with one port gives it back.`, 'Remove it by hand.');
  if (PORT_SELECTORS.has(port)) return refuse(`${bridge} takes its ports with "bridge_ports ${port}" rather than naming one port.`, 'Remove it by hand.');
  const problem = interfaceNameProblem(port);
  if (problem || port === bridge)
    return refuse(`${bridge}'s bridge_ports names ${JSON.stringify(port)}, which is not a port Passthru can give its settings to.`, 'Remove it by hand.');
  return port;
}

/** Why the configuration around the bridge keeps Passthru from removing it, or null. */
function configurationProblem(files: readonly ParsedInterfaces[], file: ParsedInterfaces, bridge: string, port: string): IfupdownRefusal | null {
  const listedElsewhere = listsNaming(files, bridge).find((l) => l.file !== file);
  if (listedElsewhere)
    return refuse(
      `${bridge} is named on a "${listedElsewhere.item.keyword}" line in ${listedElsewhere.file.path}, not in ${file.path} with its stanza.`,
      'Move that line next to the stanza first.',
    );
  const special = listsNaming(files, bridge).find(({ item }) => item.keyword === 'no-auto-down' || item.keyword === 'rename');
  if (special) return refuse(`${bridge} is named on a "${special.item.keyword}" line in ${special.file.path}, which Passthru does not carry over.`, 'Remove the bridge by hand.');
  const vlan = vlansOn(files, bridge)[0];
  if (vlan) return refuse(`${vlan.item.name} in ${vlan.file.path} is a VLAN on ${bridge} and would lose its parent.`, `Move ${vlan.item.name} onto ${port} by hand first.`);
  const inheritor = inheritorOf(files, bridge);
  if (inheritor) return refuse(`"iface ${inheritor.item.name}" in ${inheritor.file.path} inherits the options of ${bridge}.`, 'Write those options into it first.');
  const mapping = mappingOf(files, port) ?? mappingOf(files, bridge);
  if (mapping) return refuse(`A mapping stanza in ${mapping.file.path} maps ${port} or ${bridge} to another logical interface.`, 'Remove the bridge by hand.');
  return null;
}

/** Where the bridge's settings for one family go: into the port's manual stanza of that family (or its inet one), or a new stanza. */
interface Placement {
  family: string;
  method: string;
  options: OptionLine[];
  target: IfaceStanza | undefined;
}

function placements(bridgeStanzas: readonly IfaceStanza[], portStanzas: readonly IfaceStanza[], bridge: string, port: string): Placement[] | IfupdownRefusal {
  const bridgeInet = bridgeStanzas.find((s) => s.family === 'inet');
  const bridgeInet6 = bridgeStanzas.find((s) => s.family === 'inet6');
  const portInet = portStanzas.find((s) => s.family === 'inet');
  const portInet6 = portStanzas.find((s) => s.family === 'inet6');
  // A bridge whose inet stanza only carries the bridge (`inet manual`) and whose addresses are
  // IPv6 came from a NIC configured for inet6 alone: its port's inet manual stanza becomes inet6.
  const inetOnlyCarriesBridge = bridgeInet?.method === 'manual' && carriedBack(bridgeInet, bridge).length === 0 && bridgeInet6 !== undefined;
  const plan: Placement[] = [];
  if (bridgeInet && !inetOnlyCarriesBridge) plan.push({ family: 'inet', method: bridgeInet.method, options: carriedBack(bridgeInet, bridge), target: portInet });
  if (bridgeInet6) {
    const portInetIsBare = portInet !== undefined && portInet.method === 'manual' && portInet.options.every((o) => o.key === 'hwaddress' || o.key === 'mtu');
    const target = portInet6 ?? (inetOnlyCarriesBridge && portInetIsBare ? portInet : undefined);
    plan.push({ family: 'inet6', method: bridgeInet6.method, options: carriedBack(bridgeInet6, bridge), target });
  }
  for (const { family, options, target } of plan) {
    if (target === undefined) continue;
    const where = `"iface ${port} ${target.family} ${target.method}"`;
    if (target.method !== 'manual') return refuse(`${port} already has ${where} while it is a port of ${bridge}.`, `Remove that stanza or the bridge by hand.`);
    const taken = new Set(target.options.filter((o) => !isHook(o)).map((o) => o.key));
    const clash = options.find((o) => taken.has(o.key));
    if (clash) return refuse(`Both ${where} and ${bridge}'s ${family} stanza set ${clash.name}.`, `Keep it in one of them, then try again.`);
  }
  return plan;
}

/** Edits the file that configures `bridge` so that its one port has the bridge's addresses again and the bridge is gone. */
export function unbridgeInInterfaces(files: InterfacesFile[], o: { bridge: string }): IfupdownUnbridgeEdit {
  const { bridge } = o;
  const invalid = interfaceNameProblem(bridge);
  if (invalid) return refuse(invalid, 'Choose a valid interface name.');
  const parsed = parseAll(files);
  if (!Array.isArray(parsed)) return parsed;
  const bridgeStanzas = stanzasOf(parsed, bridge);
  const file = bridgeStanzas[0]?.file;
  if (file === undefined) return refuse(`ifupdown does not configure ${bridge}: there is no "iface ${bridge}" stanza.`, 'Remove the bridge with the tool that made it.');
  const elsewhere = bridgeStanzas.find((s) => s.file !== file);
  if (elsewhere) return refuse(`${bridge} is configured in two files, ${file.path} and ${elsewhere.file.path}.`, 'Move its stanzas into one file first.');
  const port = portOf(bridgeStanzas, bridge);
  if (typeof port !== 'string') return port;
  const problem = stanzasProblem(bridgeStanzas, (option) => isMcastSnoopingLine(option, bridge)) ?? configurationProblem(parsed, file, bridge, port);
  if (problem) return problem;
  const portLocated = stanzasOf(parsed, port);
  const portElsewhere = portLocated.find((s) => s.file !== file);
  if (portElsewhere) return refuse(`${port} is configured in ${portElsewhere.file.path}, not in ${file.path} with ${bridge}.`, 'Move its stanza next to the bridge first.');
  const oddPortStanza = portLocated
    .map(({ item }) => item)
    .find((s, i, all) => !['inet', 'inet6'].includes(s.family) || s.extra.length > 0 || all.findIndex((t) => t.family === s.family) !== i);
  if (oddPortStanza) {
    const header = [`iface ${port}`, oddPortStanza.family, oddPortStanza.method, ...oddPortStanza.extra].join(' ');
    return refuse(`Passthru cannot give ${bridge}'s settings to "${header}": it is not ${port}'s one plain inet or inet6 stanza.`, 'Remove the bridge by hand.');
  }
  const portStanzas = portLocated.map(({ item }) => item);
  const plan = placements(
    bridgeStanzas.map(({ item }) => item),
    portStanzas,
    bridge,
    port,
  );
  if (!Array.isArray(plan)) return plan;

  const eol = lineEndingOf(file);
  const edits = new LineEdits(file.lines);
  const lineOf = (text: string) => text + eol;
  const newStanzas: string[] = [];
  for (const { family, method, options, target } of plan) {
    const lines = options.flatMap((opt) => physical(file, opt));
    if (target === undefined) {
      newStanzas.push(lineOf(`iface ${port} ${family} ${method}`), ...lines);
      continue;
    }
    edits.replace(target.header.first, lineOf(`${indentOf(file.lines[target.header.first] ?? '')}iface ${port} ${family} ${method}`));
    for (let i = target.header.first + 1; i <= target.header.last; i++) edits.remove({ first: i, last: i });
    edits.insertAfter(stanzaEnd(target), lines);
  }
  const autoPort = isBroughtUp(parsed, bridge) && !isBroughtUp(parsed, port) ? [lineOf(`auto ${port}`)] : [];
  const [firstPortStanza, lastPortStanza] = [portStanzas[0], portStanzas.at(-1)];
  if (firstPortStanza && lastPortStanza) {
    edits.insertBefore(firstPortStanza.header.first, autoPort);
    edits.insertAfter(stanzaEnd(lastPortStanza), newStanzas);
  } else {
    // A port without a stanza of its own (as bridge-utils-interfaces(5) advises) gets one where the bridge was.
    edits.insertBefore(bridgeStanzas[0]?.item.header.first ?? 0, [...autoPort, ...newStanzas]);
  }
  removeBridge(
    file,
    edits,
    bridgeStanzas.map(({ item }) => item),
    bridge,
    eol,
  );

  const carried = plan.flatMap((p) => p.options);
  return {
    ok: true,
    port,
    path: file.path,
    before: file.lines.join('\n'),
    after: edits.text(),
    inet: bridgeStanzas.find(({ item }) => item.family === 'inet')?.item.method ?? null,
    inet6: bridgeStanzas.find(({ item }) => item.family === 'inet6')?.item.method ?? null,
    options: carried.map(optionText),
  };
}

/**
 * Removes the bridge's stanzas (their comments stay) and its name from `auto`/`allow-*` lines,
 * and the blank line in front of a removed stanza block, which ifupdown-bridge.ts adds.
 */
function removeBridge(file: ParsedInterfaces, edits: LineEdits, stanzas: readonly IfaceStanza[], bridge: string, eol: string): void {
  for (const list of file.lists) {
    if (!list.names.includes(bridge)) continue;
    const names = list.names.filter((n) => n !== bridge);
    edits.remove(list);
    if (names.length > 0) edits.replace(list.first, `${indentOf(file.lines[list.first] ?? '')}${[list.keyword, ...names].join(' ')}${eol}`);
  }
  for (const stanza of stanzas) {
    edits.remove(stanza.header);
    for (const option of stanza.options) edits.remove(option);
  }
  for (const stanza of stanzas) edits.removeBlankBefore(stanza.header.first);
}
