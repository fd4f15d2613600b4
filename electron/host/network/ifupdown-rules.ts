/**
 * What bridging and unbridging in ifupdown's files both need: the result shapes, the parse of
 * every file with ifupdown's own errors turned into a refusal, and the questions asked of the
 * whole configuration (who names an interface, who enslaves it).
 */
import { fnmatch } from '../probes/fnmatch';
import type { InterfacesFile } from './interfaces-files';
import { parseInterfaces, type IfaceStanza, type ListLine, type OptionLine, type ParsedInterfaces } from './interfaces-syntax';

/** A change to one file: its text before and after, the address methods carried over and the option lines moved (for showing the user). */
export interface IfupdownChange {
  ok: true;
  path: string;
  before: string;
  after: string;
  inet: string | null;
  inet6: string | null;
  options: string[];
}

/** Why Passthru will not edit the files, and what the user can do about it: one sentence each. */
export interface IfupdownRefusal {
  ok: false;
  reason: string;
  remedy: string;
}

export type IfupdownEdit = IfupdownChange | IfupdownRefusal;

export function refuse(reason: string, remedy: string): IfupdownRefusal {
  return { ok: false, reason, remedy };
}

/** The methods Passthru carries between a NIC and its bridge: the ones whose options it understands. */
export const CARRIED_METHODS: Readonly<Record<string, readonly string[]>> = {
  inet: ['static', 'dhcp', 'manual'],
  inet6: ['static', 'dhcp', 'manual', 'auto'],
};

/** bridge_ports words that are not a port name but a way to pick ports (bridge-utils-interfaces(5)). */
export const PORT_SELECTORS: ReadonlySet<string> = new Set(['none', 'all', 'regex', 'noregex']);

/** Commands run around bringing an interface up or down; they may name the interface they were written for. */
const HOOKS = new Set(['pre-up', 'up', 'post-up', 'down', 'pre-down', 'post-down']);

export function isHook(option: OptionLine): boolean {
  return HOOKS.has(option.key);
}

/** The line Passthru adds to a bridge it makes: multicast snooping off, so VMs' multicast (IPv6 neighbour discovery, mDNS) is not filtered. */
export function mcastSnoopingLine(bridge: string): string {
  return `post-up ip link set dev ${bridge} type bridge mcast_snooping 0`;
}

export function isMcastSnoopingLine(option: OptionLine, bridge: string): boolean {
  return (option.name === 'post-up' || option.name === 'up') && option.rest === mcastSnoopingLine(bridge).slice('post-up '.length);
}

/** Every file parsed, or the first file ifupdown itself would refuse to read (it then configures nothing). */
export function parseAll(files: readonly InterfacesFile[]): ParsedInterfaces[] | IfupdownRefusal {
  const parsed = files.map((f) => parseInterfaces(f.path, f.text));
  const broken = parsed.find((p) => p.error !== null);
  if (broken?.error) return refuse(`ifupdown cannot read its configuration: ${broken.error}.`, 'Fix that line first (ifquery --list shows the same error), then try again.');
  return parsed;
}

export interface Located<T> {
  file: ParsedInterfaces;
  item: T;
}

export function stanzasOf(files: readonly ParsedInterfaces[], name: string): Array<Located<IfaceStanza>> {
  return files.flatMap((file) => file.ifaces.filter((s) => s.name === name).map((item) => ({ file, item })));
}

/** `auto`/`allow-*`/`no-*`/`rename` lines that name `name`, alone or as one side of `a=b`. */
export function listsNaming(files: readonly ParsedInterfaces[], name: string): Array<Located<ListLine>> {
  return files.flatMap((file) => file.lists.filter((l) => l.names.some((n) => n === name || n.split('=').includes(name))).map((item) => ({ file, item })));
}

/** Whether some `auto`/`allow-*` line brings `name` up. */
export function isBroughtUp(files: readonly ParsedInterfaces[], name: string): boolean {
  return listsNaming(files, name).some(({ item }) => item.keyword === 'auto' || item.keyword.startsWith('allow-'));
}

/** The values of an option as words (`bridge_ports eth0 eth1` → eth0, eth1). */
function optionWords(option: OptionLine): string[] {
  return option.words.slice(1);
}

/** A stanza that already takes `name` as a bridge port or bond slave, with the option that says so. */
export function enslaverOf(files: readonly ParsedInterfaces[], name: string): Located<{ stanza: IfaceStanza; option: OptionLine }> | null {
  for (const file of files) {
    for (const stanza of file.ifaces) {
      const option = stanza.options.find((o) => (o.key === 'bridge-ports' || o.key === 'bond-slaves') && optionWords(o).includes(name));
      if (option) return { file, item: { stanza, option } };
    }
  }
  return null;
}

/** VLAN interfaces on `name` (`name.10`, or `vlan-raw-device name`): they would be left on the wrong side of the change. */
export function vlansOn(files: readonly ParsedInterfaces[], name: string): Array<Located<IfaceStanza>> {
  return files.flatMap((file) =>
    file.ifaces
      .filter((s) => (s.name.startsWith(`${name}.`) && /^\d+$/.test(s.name.slice(name.length + 1))) || s.options.some((o) => o.key === 'vlan-raw-device' && o.rest === name))
      .map((item) => ({ file, item })),
  );
}

/** A `mapping` stanza that would map `name` (its glob matches it, or a `map` line names it). */
export function mappingOf(files: readonly ParsedInterfaces[], name: string): Located<unknown> | null {
  for (const file of files) {
    const item = file.mappings.find((m) => m.patterns.some((p) => fnmatch(p, name)) || m.lines.some((l) => l.name === 'map' && optionWords(l).includes(name)));
    if (item) return { file, item };
  }
  return null;
}

/** A stanza that copies the options of `name` with `inherits`. */
export function inheritorOf(files: readonly ParsedInterfaces[], name: string): Located<IfaceStanza> | null {
  for (const file of files) {
    const item = file.ifaces.find((s) => s.extra[0] === 'inherits' && s.extra[1] === name);
    if (item) return { file, item };
  }
  return null;
}

/**
 * Why Passthru cannot carry these stanzas of one interface to another, or null: each must be
 * inet or inet6, one per family, with a method Passthru understands, without `inherits` and
 * without hook commands (they may name the interface they were written for) other than the
 * ones `isOwnHook` accepts.
 */
export function stanzasProblem(stanzas: ReadonlyArray<Located<IfaceStanza>>, isOwnHook: (option: OptionLine) => boolean = () => false): IfupdownRefusal | null {
  const families = new Set<string>();
  for (const { file, item } of stanzas) {
    const where = `"iface ${item.name} ${item.family} ${item.method}" in ${file.path}`;
    const methods = CARRIED_METHODS[item.family];
    if (methods === undefined) return refuse(`Passthru only carries inet and inet6 settings, and ${where} is neither.`, 'Move that configuration by hand.');
    if (families.has(item.family))
      return refuse(`${item.name} has more than one ${item.family} stanza (the second is ${where}).`, `Merge them into one ${item.family} stanza first.`);
    families.add(item.family);
    if (!methods.includes(item.method)) {
      return refuse(`Passthru only carries the ${methods.join(', ')} methods, and ${where} uses ${item.method}.`, 'Move that configuration by hand.');
    }
    if (item.extra.length > 0)
      return refuse(`${where} has "${item.extra.join(' ')}" after its method, which Passthru does not carry over.`, 'Write the inherited options into the stanza itself first.');
    const hook = item.options.find((o) => isHook(o) && !isOwnHook(o));
    if (hook) {
      return refuse(
        `${where} runs a command (${hook.name} ${hook.rest}), which may assume the interface it runs for.`,
        'Move or remove the command by hand first, or make the whole change by hand.',
      );
    }
  }
  return null;
}

/** `\r` when the file ends its lines with CRLF, so added lines match the rest. */
export function lineEndingOf(file: ParsedInterfaces): string {
  return file.lines.length > 1 && file.lines.slice(0, -1).every((l) => l.endsWith('\r')) ? '\r' : '';
}

/** The option text as shown to the user: `address 192.0.2.10/24`. */
export function optionText(option: OptionLine): string {
  return `${option.name} ${option.rest}`;
}
