/**
 * Test-only fast-check generators of hostile text: strings mixing plain ASCII with shell
 * metacharacters, line breaks, terminal controls (ESC sequences, CSI U+009B, other C0/C1, DEL),
 * bidi overrides and isolates, and non-ASCII — the characters that can make a terminal or a
 * page act instead of show, or show one thing and mean another.
 */
import fc from 'fast-check';

/** Characters that act on a terminal or reorder text (none of TAB and LF). */
export const TERMINAL_ACTORS = [
  '\u001b',
  '\u009b',
  '\u0007',
  '\r',
  '\b',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u008d',
  '\u009d',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
];

/** Whole escape sequences as attackers write them. */
export const ESCAPE_SEQUENCES = [
  '\u001b[2J\u001b[H',
  '\u001b]0;pwned\u0007',
  '\u001b]2;title\u001b\\',
  '\u009b31m',
  '\u001b[1A\u001b[K',
  '\u202e',
  '\u2066x\u2069',
  '\u001bP+q\u001b\\',
];

const SHELL_SPECIALS = [
  "'",
  '"',
  '$',
  '`',
  '\\',
  '!',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  '~',
  '#',
  '&',
  ';',
  '|',
  '<',
  '>',
  '(',
  ')',
  ' ',
  '\t',
  '\n',
  '=',
  '%',
  '-',
  '$(id)',
  '`id`',
  '${HOME}',
];

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SHELL_SPECIALS) },
  { weight: 3, arbitrary: fc.constantFrom(...TERMINAL_ACTORS) },
  { weight: 1, arbitrary: fc.constantFrom(...ESCAPE_SEQUENCES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '中文', '🙂', '\u00a0', '\u2028', '\ufeff') },
);

/** Hostile text, NUL included. */
export const hostileText = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

/** Hostile text as a process argument can carry it: no NUL. */
export const hostileArg = hostileText.map((t) => t.replace(/\0/g, ''));
