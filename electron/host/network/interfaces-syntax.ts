/**
 * The syntax of Debian ifupdown's interfaces(5) files, read the way ifupdown 0.8 reads them
 * (its config.c): a logical line is a physical line without its leading whitespace, joined
 * with the next physical line while it ends in a backslash; a line whose first non-blank
 * character is `#` is a comment (even when it ends in a backslash); the first word of each
 * logical line says what it is, and an option belongs to the `iface` or `mapping` stanza above
 * it until the next keyword line. The parse keeps physical line numbers, so an edit replaces
 * exactly the lines it means and leaves every other byte alone.
 */

export interface LogicalLine {
  /** Index of its first physical line. */
  first: number;
  /** Index of its last physical line (the same one unless continued with `\`). */
  last: number;
  /** The words of the joined line; empty for blank and comment lines. */
  words: string[];
  /** The joined line without its first word, trimmed: an option's value. */
  rest: string;
}

export interface OptionLine extends LogicalLine {
  name: string;
  /** The name as hook scripts see it (`IF_BRIDGE_PORTS` for `bridge_ports` and `bridge-ports` alike): `_` read as `-`. */
  key: string;
}

export interface IfaceStanza {
  header: LogicalLine;
  name: string;
  family: string;
  method: string;
  /** Words after the method (`inherits NAME`). */
  extra: string[];
  options: OptionLine[];
}

export interface MappingStanza {
  header: LogicalLine;
  patterns: string[];
  /** Its `script` and `map` lines. */
  lines: OptionLine[];
}

/** `auto`, `allow-*`, `no-auto-down`, `no-scripts`, `rename`: a keyword and the names (or patterns) it lists. */
export interface ListLine extends LogicalLine {
  keyword: string;
  names: string[];
}

export interface ParsedInterfaces {
  path: string;
  /** Physical lines (the text split at `\n`; a final newline leaves a last empty one). */
  lines: string[];
  ifaces: IfaceStanza[];
  mappings: MappingStanza[];
  lists: ListLine[];
  /** Why ifupdown would refuse the file (it then reads no configuration at all), or null. */
  error: string | null;
}

const SPACE = /[ \t\n\v\f\r]+/;
const LIST_KEYWORDS = new Set(['auto', 'no-auto-down', 'no-scripts', 'rename']);

export function isListKeyword(word: string): boolean {
  return LIST_KEYWORDS.has(word) || (word.startsWith('allow-') && word.length > 6);
}

/** `source-directory`: ifupdown takes any word starting with `source-dir`. */
export function sourceKeyword(word: string): 'source' | 'source-directory' | null {
  if (word === 'source') return 'source';
  return word.startsWith('source-dir') ? 'source-directory' : null;
}

/** The logical lines of a file, blank and comment lines included (one physical line each). */
export function logicalLines(lines: readonly string[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let joined = (lines[i] ?? '').replace(/^[ \t\n\v\f\r]+/, '');
    if (!joined.startsWith('#')) {
      while (joined.endsWith('\\') && i + 1 < lines.length) joined = joined.slice(0, -1) + (lines[++i] ?? '');
      if (joined.endsWith('\\')) joined = joined.slice(0, -1);
    }
    const text = joined.trim();
    const words = text === '' || text.startsWith('#') ? [] : text.split(SPACE);
    const rest = words.length === 0 ? '' : text.slice((words[0] ?? '').length).trim();
    out.push({ first, last: i, words, rest });
  }
  return out;
}

export function splitLines(text: string): string[] {
  return text.split('\n');
}

export function parseInterfaces(path: string, text: string): ParsedInterfaces {
  const lines = splitLines(text);
  const parsed: ParsedInterfaces = { path, lines, ifaces: [], mappings: [], lists: [], error: null };
  let current: IfaceStanza | MappingStanza | null = null;
  const fail = (line: LogicalLine, why: string): ParsedInterfaces => ({ ...parsed, error: `${path}:${line.first + 1}: ${why}` });
  for (const line of logicalLines(lines)) {
    const [keyword, ...args] = line.words;
    if (keyword === undefined) continue;
    if (keyword === 'iface') {
      const [name, family, method, ...extra] = args;
      if (name === undefined || family === undefined || method === undefined) return fail(line, 'an iface line needs a name, an address family and a method');
      if (extra[0] === 'inherits' && extra.length < 2) return fail(line, "'inherits' is missing the interface it inherits from");
      current = { header: line, name, family, method, extra, options: [] };
      parsed.ifaces.push(current);
    } else if (keyword === 'mapping') {
      current = { header: line, patterns: args, lines: [] };
      parsed.mappings.push(current);
    } else if (isListKeyword(keyword)) {
      parsed.lists.push({ ...line, keyword, names: args });
      current = null;
    } else if (sourceKeyword(keyword) !== null) {
      current = null;
    } else if (current === null) {
      return fail(line, `misplaced option ${JSON.stringify(keyword)} outside any iface or mapping stanza`);
    } else if (line.rest === '') {
      return fail(line, `option ${JSON.stringify(keyword)} has an empty value`);
    } else {
      const option: OptionLine = { ...line, name: keyword, key: keyword.replace(/_/g, '-') };
      if ('options' in current) current.options.push(option);
      else if (keyword === 'script' || keyword === 'map') current.lines.push(option);
      else return fail(line, `misplaced option ${JSON.stringify(keyword)} in a mapping stanza`);
    }
  }
  return parsed;
}

/**
 * Why `name` cannot stand for an interface in an interfaces file, or null. The kernel's rule
 * (1–15 bytes, not `.` or `..`, no `/`, `:` or whitespace), printable ASCII only, and none of
 * the characters ifupdown reads specially in a name: `\` continues the line, `=` maps a
 * pattern to a logical name.
 */
export function interfaceNameProblem(name: string): string | null {
  const shown = JSON.stringify(name);
  if (name.length < 1 || name.length > 15) return `${shown} is not an interface name (1 to 15 characters).`;
  if (name === '.' || name === '..') return `${shown} is not an interface name.`;
  if (!/^[\x21-\x7e]+$/.test(name)) return `${shown} is not an interface name (printable ASCII without spaces only).`;
  if (/[/:\\=]/.test(name)) return `${shown} is not an interface name (no "/", ":", "\\" or "=").`;
  return null;
}

/** The leading whitespace of a physical line. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** The physical lines of a logical line, byte for byte. */
export function physical(parsed: ParsedInterfaces, line: LogicalLine): string[] {
  return parsed.lines.slice(line.first, line.last + 1);
}

/** The last physical line of a stanza's content (its header or last option): new lines go after it, before any trailing comments and blank lines. */
export function stanzaEnd(stanza: IfaceStanza): number {
  return stanza.options.reduce((end, option) => Math.max(end, option.last), stanza.header.last);
}

/**
 * Replacements per physical line, applied all at once so line numbers stay those of the
 * parse. A line no edit touches comes out byte for byte.
 */
export class LineEdits {
  private readonly slots: Array<{ before: string[]; self: string | null; after: string[] }>;

  constructor(private readonly lines: readonly string[]) {
    this.slots = lines.map((line) => ({ before: [], self: line, after: [] }));
  }

  private slot(index: number): { before: string[]; self: string | null; after: string[] } {
    const slot = this.slots[index];
    if (slot === undefined) throw new RangeError(`line ${index} is outside the file`);
    return slot;
  }

  replace(index: number, text: string): void {
    this.slot(index).self = text;
  }

  remove(line: Pick<LogicalLine, 'first' | 'last'>): void {
    for (let i = line.first; i <= line.last; i++) this.slot(i).self = null;
  }

  insertBefore(index: number, lines: readonly string[]): void {
    this.slot(index).before.push(...lines);
  }

  insertAfter(index: number, lines: readonly string[]): void {
    this.slot(index).after.push(...lines);
  }

  isUntouched(index: number): boolean {
    const slot = this.slots[index];
    return slot !== undefined && slot.self === this.lines[index] && slot.before.length === 0 && slot.after.length === 0;
  }

  isRemoved(index: number): boolean {
    const slot = this.slots[index];
    return slot !== undefined && slot.self === null && slot.before.length === 0 && slot.after.length === 0;
  }

  /**
   * Removes the blank line in front of a removed block that starts at or before `index`
   * (stanzas are set apart by one blank line: removing one should not leave two).
   */
  removeBlankBefore(index: number): void {
    if (!this.isRemoved(index)) return;
    let start = index;
    while (start > 0 && this.isRemoved(start - 1)) start--;
    const blank = start - 1;
    if (blank >= 0 && (this.lines[blank] ?? '').trim() === '' && this.isUntouched(blank)) this.slot(blank).self = null;
  }

  text(): string {
    return this.slots.flatMap((slot) => [...slot.before, ...(slot.self === null ? [] : [slot.self]), ...slot.after]).join('\n');
  }
}
