/**
 * What the value of each option (and positional) may be, checked once by command-line.ts for every
 * command before it runs — so a bad value is always BAD_INPUT (exit 2) in one sentence with a
 * remedy, never a stack trace, an "unexpected error" (exit 1) or a plan built on nonsense
 * (`--owner 99999999999999999999999` planning for "user 1e+23").
 *
 * Every value first passes the checks that hold for all of them: not empty, at most
 * MAX_VALUE_LENGTH characters, no control, C1 or bidi character (no name, path or number this
 * CLI takes has one, and such characters would act on the terminal when the value is printed
 * back). Then the rule of the option: commands declare theirs (CliCommand.values), and options
 * several commands share (--root, --state-dir, --owner, …) have theirs in COMMON_VALUE_RULES.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PassthruError } from '#shared/errors';
import { visibleInline, hasControlChars } from '#shared/control-chars';

export type ValueRule =
  /** An existing directory (a host tree, a snapshot). */
  | { type: 'directory' }
  /** A directory, or a path one can be made at: nothing on the way is a file. */
  | { type: 'directory-to-be' }
  /** An existing regular file. */
  | { type: 'file' }
  /** A whole decimal number within the bounds (no sign, no exponent, no hex). */
  | { type: 'integer'; min: number; max: number; unit?: string }
  /** A decimal number (digits, optionally a fraction) within the bounds. */
  | { type: 'decimal'; min: number; max: number; unit?: string }
  /** One of a few words. */
  | { type: 'choice'; values: readonly string[] }
  /** Text of a given shape, described for the error message. */
  | { type: 'pattern'; pattern: RegExp; expected: string }
  /** A user name or a numeric uid (0 to 4294967294; 4294967295 is (uid_t)-1, "no user"). */
  | { type: 'user' }
  /** Free text: only the checks every value passes; the command checks the rest. */
  | { type: 'text' };

/** Longer than any path (PATH_MAX 4096) or name this CLI takes. */
export const MAX_VALUE_LENGTH = 4096;

/** Longest file name (one path component) Linux file systems take, in bytes. */
const NAME_MAX = 255;

/** The largest uid Linux gives a user. */
export const MAX_UID = 4294967294;

/** Rules of options several commands share; a command's own `values` take precedence. */
export const COMMON_VALUE_RULES: Record<string, ValueRule> = {
  root: { type: 'directory' },
  'state-dir': { type: 'directory-to-be' },
  'config-dir': { type: 'directory-to-be' },
  'runtime-dir': { type: 'directory-to-be' },
  owner: { type: 'user' },
  journal: { type: 'pattern', pattern: /^[A-Za-z0-9._-]{1,100}$/, expected: 'a journal id as `passthru history` lists it' },
  confirm: { type: 'pattern', pattern: /^\S{1,64}$/, expected: 'the interface name or address the plan asks you to type' },
};

/** How an option or positional is named in messages: `--vlan`, or `ADDRESS`. */
export type ValueName = `--${string}` | Uppercase<string>;

/**
 * Throws BAD_INPUT when `value` breaks the checks every value passes or `rule`. `remedy` points
 * at the command's help.
 */
export function checkValue(name: ValueName, value: string, rule: ValueRule | undefined, remedy: string): void {
  const bad = (message: string, fix: string = remedy) => new PassthruError('BAD_INPUT', message, fix);
  const option = name.startsWith('--');
  if (value === '') throw bad(`${name} is empty.`, `Give a value${option ? `, or leave ${name} out` : ''}. ${remedy}`);
  if (value.length > MAX_VALUE_LENGTH) throw bad(`${name} is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} are taken.`);
  if (hasControlChars(value))
    throw bad(`${name} holds a control character: "${cut(visibleInline(value), 200)}".`, `Type it without control, tab, line-break or text-direction characters. ${remedy}`);
  if (!rule) return;
  if (rule.type === 'directory' || rule.type === 'directory-to-be' || rule.type === 'file') {
    const long = resolve(value)
      .split('/')
      .find((part) => Buffer.byteLength(part) > NAME_MAX);
    if (long !== undefined) throw bad(`${name} has a file name longer than ${NAME_MAX} bytes (${shown(long)}).`, 'Give a path the file system can hold.');
  }
  switch (rule.type) {
    case 'directory': {
      const path = resolve(value);
      if (!existsSync(path)) throw bad(`${name} ${path} does not exist.`, 'Check the path, or capture a host tree with `passthru snapshot DIR`.');
      if (!statSync(path).isDirectory()) throw bad(`${name} ${path} is not a directory.`, 'Give a directory.');
      return;
    }
    case 'directory-to-be': {
      const path = resolve(value);
      const blocker = fileInTheWay(path);
      if (blocker === path) throw bad(`${name} ${path} is not a directory.`, 'Give a directory, or a path where one can be made.');
      if (blocker !== null) throw bad(`${name} ${path} cannot be made: ${blocker} is not a directory.`, 'Give a directory, or a path where one can be made.');
      return;
    }
    case 'file': {
      const path = resolve(value);
      if (!existsSync(path)) throw bad(`${name} ${path} does not exist.`, 'Give an existing file.');
      if (!statSync(path).isFile()) throw bad(`${name} ${path} is not a regular file.`, 'Give an existing file.');
      return;
    }
    case 'integer':
    case 'decimal': {
      const shape = rule.type === 'integer' ? /^\d{1,16}$/ : /^\d{1,16}(\.\d{1,9})?$/;
      const n = shape.test(value) ? Number(value) : NaN;
      const what = `${rule.type === 'integer' ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}${rule.unit ? ` (${rule.unit})` : ''}`;
      if (!(n >= rule.min && n <= rule.max)) throw bad(`${name} must be ${what}, not ${shown(value)}.`);
      return;
    }
    case 'choice':
      if (!rule.values.includes(value)) throw bad(`${name} must be ${orList(rule.values)}, not ${shown(value)}.`);
      return;
    case 'pattern':
      if (!rule.pattern.test(value)) throw bad(`${name} must be ${rule.expected}, not ${shown(value)}.`);
      return;
    case 'user':
      if (/^\d+$/.test(value)) {
        if (!(value.length <= 10 && Number(value) <= MAX_UID)) throw bad(`${name} ${shown(value)} is not a uid (0 to ${MAX_UID}).`, 'Give an existing user name or a numeric uid.');
        return;
      }
      if (!/^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(value)) throw bad(`${name} ${shown(value)} is not a user name or uid.`, 'Give an existing user name or a numeric uid.');
      return;
    case 'text':
      return;
  }
}

/** The path itself, or the nearest existing ancestor, when it is not a directory; else null. */
function fileInTheWay(path: string): string | null {
  for (let p = path; ; p = dirname(p)) {
    if (existsSync(p)) return statSync(p).isDirectory() ? null : p;
    if (dirname(p) === p) return null;
  }
}

/** A value quoted for a message, cut when long (the output layer escapes what is left). */
function shown(value: string): string {
  return JSON.stringify(cut(value, 60));
}

function cut(text: string, most: number): string {
  return text.length > most ? `${text.slice(0, most)}…` : text;
}

function orList(values: readonly string[]): string {
  return values.length <= 2 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
