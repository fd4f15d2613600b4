/**
 * The kernel command line as GRUB's configuration tools see it: GRUB_CMDLINE_LINUX and
 * GRUB_CMDLINE_LINUX_DEFAULT after sourcing /etc/default/grub (and, for Debian's update-grub,
 * /etc/default/grub.d/*.cfg in order) — evaluated without a shell — and the two ways of
 * changing it: a drop-in of Passthru's own, or an in-place edit of /etc/default/grub.
 */
import { parseShellAssignments, splitArgs, type ArgEdit, type ShellAssignment, applyArgEdits, appendAssignment, replaceAssignmentValue } from './cmdline';
import { GRUB_DEFAULTS } from './paths';

export const CMDLINE_VARS = ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'] as const;
type CmdlineVar = (typeof CMDLINE_VARS)[number];

/** References to the command-line variables only: `${GRUB_CMDLINE_LINUX_DEFAULT}` and `$GRUB_CMDLINE_LINUX`. */
const VAR_REF = /\$\{(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)\}|\$(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)(?![A-Za-z0-9_])/g;

/**
 * The arguments GRUB would put on the Linux line (LINUX then LINUX_DEFAULT), or `unknown`
 * with the reason when some assignment needs a shell to evaluate. Appending to itself, as
 * Passthru's drop-in does, is understood.
 */
export function grubEffectiveArgs(sources: { path: string; text: string }[]): { args: string[] } | { unknown: string } {
  const vars: Record<CmdlineVar, string> = { GRUB_CMDLINE_LINUX: '', GRUB_CMDLINE_LINUX_DEFAULT: '' };
  for (const { path, text } of sources) {
    for (const a of parseShellAssignments(text)) {
      if (!(CMDLINE_VARS as readonly string[]).includes(a.name)) continue;
      const value = a.value ?? substituteRefs(a, vars);
      if (value === null) return { unknown: `${a.name} on line ${a.lineIndex + 1} of ${path} cannot be read safely: ${a.problem ?? 'unknown'}.` };
      vars[a.name as CmdlineVar] = value;
    }
  }
  return { args: [...splitArgs(vars.GRUB_CMDLINE_LINUX), ...splitArgs(vars.GRUB_CMDLINE_LINUX_DEFAULT)] };
}

/** The value of a double-quoted assignment whose only expansions are the command-line variables. */
function substituteRefs(a: ShellAssignment, vars: Record<CmdlineVar, string>): string | null {
  if (a.quote !== '"') return null;
  const raw = a.line.slice(a.valueStart, a.valueEnd);
  const rest = raw.replace(VAR_REF, '');
  if (/[$`\\]/.test(rest) || !/^\s*(#.*)?$/.test(a.line.slice(a.valueEnd + 1))) return null;
  return raw.replace(VAR_REF, (_m, braced: string | undefined, bare: string | undefined) => vars[(braced ?? bare) as CmdlineVar]);
}

/** Passthru's drop-in: appends `args` to GRUB_CMDLINE_LINUX_DEFAULT, whatever came before. */
export function grubDropInContent(args: string[]): string {
  return (
    '# Written by Passthru (Enable IOMMU). `passthru iommu disable` removes this file;\n' +
    '# or delete it by hand and run update-grub.\n' +
    `GRUB_CMDLINE_LINUX_DEFAULT="\${GRUB_CMDLINE_LINUX_DEFAULT} ${args.join(' ')}"\n`
  );
}

/** The arguments a drop-in of ours adds, or null when `text` is not one (someone changed it). */
export function parseGrubDropIn(text: string): string[] | null {
  const m = /\nGRUB_CMDLINE_LINUX_DEFAULT="\$\{GRUB_CMDLINE_LINUX_DEFAULT\} ([^"$`\\]+)"\n$/.exec(text);
  if (!m) return null;
  const args = splitArgs(m[1] as string);
  return grubDropInContent(args) === text ? args : null;
}

/**
 * Applies `edits` to /etc/default/grub in place: removals and replacements where the argument
 * is (the last assignment of either variable), additions to GRUB_CMDLINE_LINUX_DEFAULT (a new
 * line when the file has none). Returns the new text, or why a line cannot be edited.
 */
export function editGrubDefaults(text: string, edits: ArgEdit[]): { text: string } | { problem: string } {
  let out = text;
  for (const edit of edits) {
    const target = edit.kind === 'add' ? null : edit.kind === 'remove' ? edit.arg : edit.from;
    const lasts = CMDLINE_VARS.map((name) =>
      parseShellAssignments(out)
        .filter((a) => a.name === name)
        .pop(),
    );
    const holder = target === null ? lasts[1] : [...lasts].reverse().find((a) => a !== undefined && splitArgs(a.value ?? a.line.slice(a.valueStart, a.valueEnd)).includes(target));
    if (holder === undefined) {
      if (target !== null)
        return { problem: `${target} is not in ${GRUB_DEFAULTS}'s GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT; it comes from another file, so remove it there by hand.` };
      out = appendAssignment(out, 'GRUB_CMDLINE_LINUX_DEFAULT', edit.kind === 'add' ? edit.arg : '');
      continue;
    }
    if (holder.value === null) {
      return {
        problem: `${holder.name} on line ${holder.lineIndex + 1} of ${GRUB_DEFAULTS} cannot be edited safely: ${holder.problem}. Passthru only edits plain quoted values; change it by hand.`,
      };
    }
    out = replaceAssignmentValue(out, holder, applyArgEdits(holder.value, [edit]));
  }
  return { text: out };
}
