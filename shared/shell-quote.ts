/**
 * Command lines as text, for people to read, copy and paste (plans, hints, exported scripts):
 * never executed by Passthru, which runs argv arrays (electron/host/exec). Pasted into a POSIX
 * shell (sh, dash, bash, zsh), `formatArgv(argv)` runs exactly `argv` — whatever its
 * arguments hold: spaces, quotes, `$`, backticks, globs, newlines, non-ASCII, or nothing.
 *
 * Characters a terminal acts on (see control-chars.ts) are not put between the quotes raw: each
 * is spelled `"$(printf '\ooo')"` (its UTF-8 bytes in octal), so the line shows as plain text
 * and still yields the same argument. (`$(…)` drops only trailing newlines, and a newline is
 * never spelled this way: it stays between single quotes.)
 *
 * Quoting cannot change how a program reads its arguments: an argument starting with `-` is
 * an option to it however it is quoted. Builders of argv put `--` before such operands.
 */
import { hasUnsafeControls, isUnsafeChar, visibleInline } from './control-chars';

/** Needs no quotes anywhere in a command. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Words the shell reads as syntax when they come first. */
const RESERVED = new Set(['case', 'coproc', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in', 'select', 'then', 'time', 'until', 'while']);

/**
 * One argument as a shell word. `first`: it is the command name, where `NAME=value` would be
 * an assignment and `if` a keyword — those are quoted there. (bash reads a command word
 * starting with `%` as a job however it is quoted; no command Passthru shows is named so.)
 */
export function shellQuote(arg: string, first = false): string {
  if (arg !== '' && PLAIN.test(arg) && !(first && (arg.includes('=') || RESERVED.has(arg)))) return arg;
  if (!hasUnsafeControls(arg)) return singleQuoted(arg);
  // Runs of showable text go between single quotes; each unsafe character is printf'd.
  let out = '';
  let run = '';
  for (const ch of arg) {
    if (!isUnsafeChar(ch)) {
      run += ch;
      continue;
    }
    if (run !== '') out += singleQuoted(run);
    run = '';
    out += `"$(printf '${octalBytes(ch)}')"`;
  }
  return run === '' ? out : out + singleQuoted(run);
}

/** argv as one copyable shell line. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a, i) => shellQuote(a, i === 0)).join(' ');
}

/** A command line writing `content` to `path` exactly (as root), for plans and scripts. */
export function writeFileLine(path: string, content: string): string {
  return `${formatArgv(['printf', '%s', content])} > ${shellQuote(path)}`;
}

/**
 * `# text` as one script line: a line break in host text must not end the comment and start a
 * command, and a control character must not act on the terminal of whoever reads the script.
 */
export function shellComment(text: string): string {
  return `# ${visibleInline(text)}`;
}

function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function octalBytes(ch: string): string {
  return [...new TextEncoder().encode(ch)].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}
