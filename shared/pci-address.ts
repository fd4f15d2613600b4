/**
 * PCI addresses, one rule everywhere: the full lower-case `DDDD:BB:SS.F` form the kernel uses
 * in sysfs (slot at most 1f, function at most 7). Input may also be the short `BB:SS.F` form
 * `lspci` prints without -D (domain 0000) and any case; everything stored or sent is the full
 * form. Addresses end up in sysfs paths and in shell lines a user may copy, so nothing else
 * passes (`0000:01:00.0/../../etc`, slot 0x20, a newline).
 */
import { badInput, type PassthruError } from './errors';

/** The full form, as a pattern for schemas (zod) and path segments. */
export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

const SHORT = /^[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

export function isPciAddress(value: unknown): value is string {
  return typeof value === 'string' && PCI_ADDRESS.test(value);
}

/** The full form of `input` (lower-cased, domain 0000 added), or null when it is none. */
function fullForm(input: string): string | null {
  const t = input.toLowerCase();
  if (PCI_ADDRESS.test(t)) return t;
  if (SHORT.test(t)) return `0000:${t}`;
  return null;
}

/** As typed on a command line: surrounding blanks ignored. Null when it is no address. */
export function normalizePciAddress(text: string): string | null {
  return fullForm(text.trim());
}

/** The full form of `input`, or BAD_INPUT saying what is wrong with it. */
export function parsePciAddress(input: string): string {
  const shown = JSON.stringify(input);
  const bad = (why: string): PassthruError => badInput(`${shown} is not a PCI address: ${why}.`, 'Give an address as printed by `lspci -D`, e.g. 0000:01:00.0 (or 01:00.0).');
  if (typeof input !== 'string' || input === '') throw bad('it is empty');
  const full = fullForm(input);
  if (full) return full;
  const m = /^(?:[0-9a-f]{4}:)?[0-9a-f]{2}:([0-9a-f]{2})\.([0-9a-f])$/.exec(input.toLowerCase());
  if (m && parseInt(m[1] as string, 16) > 0x1f) throw bad(`slot ${m[1]} is above 1f`);
  if (m) throw bad(`function ${m[2]} is above 7`);
  throw bad('expected DDDD:BB:SS.F');
}
