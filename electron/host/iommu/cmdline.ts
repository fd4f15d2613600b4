/**
 * Safe editing of kernel command lines as they are stored on disk: inside a shell variable
 * assignment in /etc/default/grub (which GRUB's tools *source as root*), or as the single line
 * of /etc/kernel/cmdline. Nothing here runs a shell: assignments are parsed by hand, and any
 * value Passthru cannot read exactly (expansions, escapes, continuation lines) is refused
 * rather than guessed at. Every edit keeps the rest of the text byte for byte, so that
 * removing what was added gives back the original bytes.
 */

/**
 * Characters a kernel argument written by Passthru may contain. A whitelist rather than a
 * list of dangerous characters: the text lands in a file the shell sources as root.
 */
const SAFE_ARG = /^[A-Za-z0-9_.,:=+/@%-]+$/;

/** Why `arg` may not be written to a boot configuration, or null when it is safe. */
export function unsafeArgReason(arg: string): string | null {
  if (arg === '') return 'an empty argument';
  if (SAFE_ARG.test(arg)) return null;
  const bad = [...arg].find((c) => !SAFE_ARG.test(c)) ?? '';
  const names: Record<string, string> = {
    '"': 'a double quote',
    "'": 'a single quote',
    $: 'a $ (shell expansion)',
    ';': 'a ; (command separator)',
    '`': 'a backtick (command substitution)',
    '\\': 'a backslash',
    '\n': 'a newline',
    ' ': 'a space',
    '\t': 'a tab',
  };
  return `${JSON.stringify(arg)} contains ${names[bad] ?? JSON.stringify(bad)}, which a sourced shell file could execute or split`;
}

/** One `NAME=value` line of a shell file, as far as it can be read without a shell. */
export interface ShellAssignment {
  name: string;
  /** Index of the line in the file (split on "\n"). */
  lineIndex: number;
  line: string;
  /** The literal value, or null when `problem` says why it cannot be known. */
  value: string | null;
  /** The quoting of the value: `"`, `'` or '' (unquoted). */
  quote: '"' | "'" | '';
  /** Offsets in `line` of the text between the quotes (or of the bare word). */
  valueStart: number;
  valueEnd: number;
  /** Why the line cannot be read (or rewritten) safely; null when it can. */
  problem: string | null;
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * Every top-level assignment in a shell file (`NAME=value`, `export NAME=value`), in order.
 * The shell keeps the last assignment of a name, so callers look at the last one. Lines
 * inside a quote opened on an earlier line are skipped: they belong to that assignment.
 */
export function parseShellAssignments(text: string): ShellAssignment[] {
  const lines = text.split('\n');
  const out: ShellAssignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    const { openQuote, ...parsed } = readValue(line, m[0].length);
    out.push({ name: m[2] as string, lineIndex: i, line, ...parsed });
    if (openQuote !== null) i = skipToClosingQuote(lines, i + 1, openQuote);
  }
  return out;
}

/** The assignment the shell would keep for `name` (the last), or null when there is none. */
export function lastAssignment(text: string, name: string): ShellAssignment | null {
  return (
    parseShellAssignments(text)
      .filter((a) => a.name === name)
      .pop() ?? null
  );
}

type ParsedValue = Omit<ShellAssignment, 'name' | 'lineIndex' | 'line'> & { openQuote: '"' | "'" | null };

/** Reads the value starting at `start`: one quoted string or one bare word, then an optional comment. */
function readValue(line: string, start: number): ParsedValue {
  const first = line[start];
  const quote: '"' | "'" | '' = first === '"' || first === "'" ? first : '';
  const valueStart = quote === '' ? start : start + 1;
  let problem: string | null = null;
  let end: number;
  if (quote === '') {
    end = valueStart;
    while (end < line.length && !/[\s;&|<>()#]/.test(line[end] as string)) end++;
  } else {
    end = line.indexOf(quote, valueStart);
    if (end === -1) {
      return { value: null, quote, valueStart, valueEnd: line.length, problem: 'the quoted value continues onto the next line', openQuote: quote };
    }
  }
  const raw = line.slice(valueStart, end);
  if (quote !== "'") problem = expansionProblem(raw) ?? (raw.includes('\\') ? 'it contains backslash escapes' : null);
  const rest = line.slice(quote === '' ? end : end + 1);
  if (problem === null && !/^\s*(#.*)?$/.test(rest)) {
    problem =
      /^\s*\\$/.test(rest) || rest.endsWith('\\')
        ? 'it continues onto the next line'
        : `the line goes on after the value (${JSON.stringify(rest.trim())}): more than a plain assignment`;
  }
  return { value: problem === null ? raw : null, quote, valueStart, valueEnd: end, problem, openQuote: null };
}

/** Why a double-quoted or bare value would make the shell expand something, or null. */
function expansionProblem(raw: string): string | null {
  if (raw.includes('`')) return 'it contains a backtick command substitution, which only a shell can evaluate';
  if (raw.includes('$(')) return 'it contains a $(...) command substitution, which only a shell can evaluate';
  if (raw.includes('$')) return 'it refers to a shell variable ($...), whose value only a shell can know';
  return null;
}

/** Index of the line after the one that closes `quote` (escaped double quotes do not close). */
function skipToClosingQuote(lines: string[], from: number, quote: '"' | "'"): number {
  const closes = quote === "'" ? /'/ : /(^|[^\\])"/;
  for (let i = from; i < lines.length; i++) if (closes.test(lines[i] as string)) return i;
  return lines.length;
}

/** Space-separated arguments with their offsets, so edits can keep every other byte. */
interface Token {
  text: string;
  start: number;
  end: number;
}

function tokens(s: string): Token[] {
  const out: Token[] = [];
  for (const m of s.matchAll(/\S+/g)) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/** `intel_iommu` of `intel_iommu=on`, the whole token for a flag. */
export function argKey(arg: string): string {
  const eq = arg.indexOf('=');
  return eq === -1 ? arg : arg.slice(0, eq);
}

/**
 * What to do to a command line: `ensure` arguments (`key=value`) end up effective — already
 * there (the value may be one of a comma list, as in `intel_iommu=on,sm_on`), the last
 * argument with the same key replaced, or appended; `drop` arguments are removed exactly.
 */
export interface ArgChange {
  ensure: string[];
  drop: string[];
}

/** One change to one argument, for the plan's words. */
export type ArgEdit = { kind: 'add'; arg: string } | { kind: 'replace'; from: string; to: string } | { kind: 'remove'; arg: string };

/** Whether `arg` is in effect in `args` (the last argument with its key carries its value). */
export function argSatisfied(args: string[], arg: string): boolean {
  const key = argKey(arg);
  const last = args.filter((a) => argKey(a) === key).pop();
  if (last === undefined) return false;
  if (last === arg) return true;
  const want = arg.slice(key.length + 1);
  return (
    last.includes('=') &&
    last
      .slice(key.length + 1)
      .split(',')
      .includes(want)
  );
}

/** The edits `change` needs on `args` (none when it is already in effect). */
export function planArgEdits(args: string[], change: ArgChange): ArgEdit[] {
  const edits: ArgEdit[] = [];
  for (const arg of change.drop) if (args.includes(arg)) edits.push({ kind: 'remove', arg });
  for (const arg of change.ensure) {
    if (argSatisfied(args, arg)) continue;
    const sameKey = args.filter((a) => argKey(a) === argKey(arg)).pop();
    edits.push(sameKey === undefined ? { kind: 'add', arg } : { kind: 'replace', from: sameKey, to: arg });
  }
  return edits;
}

/**
 * Applies `edits` to a space-separated argument string, keeping every other byte: a removal
 * takes the argument and the whitespace before it (after it, at the start); an addition goes
 * after the last argument with one space, before any trailing whitespace or newline. So
 * removing what was added restores the original exactly.
 */
export function applyArgEdits(s: string, edits: ArgEdit[]): string {
  let out = s;
  for (const e of edits) {
    const toks = tokens(out);
    if (e.kind === 'add') {
      const last = toks[toks.length - 1];
      out = last === undefined ? e.arg + out : `${out.slice(0, last.end)} ${e.arg}${out.slice(last.end)}`;
      continue;
    }
    const target = e.kind === 'remove' ? e.arg : e.from;
    const t = [...toks].reverse().find((x) => x.text === target);
    if (t === undefined) continue;
    if (e.kind === 'replace') {
      out = out.slice(0, t.start) + e.to + out.slice(t.end);
      continue;
    }
    const before = /\s*$/.exec(out.slice(0, t.start))?.[0].length ?? 0;
    out = before > 0 || t.end === out.length ? out.slice(0, t.start - before) + out.slice(t.end) : out.slice(0, t.start) + out.slice(t.end).replace(/^\s+/, '');
  }
  return out;
}

/** The arguments of a space-separated string. */
export function splitArgs(s: string): string[] {
  return tokens(s).map((t) => t.text);
}

/**
 * Rewrites the value of one assignment, keeping its quoting, comment and every other line.
 * A bare word that gains a space is put in double quotes (the arguments are known safe).
 */
export function replaceAssignmentValue(text: string, a: ShellAssignment, value: string): string {
  if (a.problem !== null) throw new Error(`${a.name} on line ${a.lineIndex + 1} cannot be edited: ${a.problem}`);
  const lines = text.split('\n');
  const quoted = a.quote === '' && /\s/.test(value) ? `"${value}"` : value;
  lines[a.lineIndex] = a.line.slice(0, a.valueStart) + quoted + a.line.slice(a.valueEnd);
  return lines.join('\n');
}

/** Appends `NAME="value"` as a new last line (after a newline if the file lacks one). */
export function appendAssignment(text: string, name: string, value: string): string {
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}${name}="${value}"\n`;
}
