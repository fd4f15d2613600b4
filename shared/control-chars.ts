/**
 * Host data — hostnames, interface, driver and VM names, journal titles, file contents — is
 * text anyone with a say over the host (or a snapshot) chose. Printed raw, some characters make
 * a terminal act instead of show: ESC and CSI (U+009B) start sequences that clear the screen,
 * retitle the window or rewrite what was printed; other C0/C1 controls and DEL move the
 * cursor or are silently dropped; the bidi overrides and isolates reorder what the reader sees
 * (a command can look like another). This module makes every such character visible as a
 * `\uXXXX` escape instead.
 *
 * The one escape form serves text and JSON alike: in a JSON document these characters can only
 * stand inside strings, where `\uXXXX` is the valid escape of the very same character — so the
 * CLI's output layer can neutralise both without knowing which it prints.
 */

/**
 * C0 controls except TAB and LF (kept for layout), DEL, the C1 controls (U+0080–U+009F, CSI
 * U+009B among them), the bidi embeddings/overrides U+202A–U+202E and isolates U+2066–U+2069,
 * and the invisible direction marks (LRM, RLM, ALM) that steer the same reordering.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, with TAB and LF too: for text that must stay on one line (a name, a title). */
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character written as `\uXXXX`; TAB and LF stay (layout). */
export function visibleControls(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** `text` on one line: TAB and LF are escaped too (for names and titles shown inline). */
export function visibleInline(text: string): string {
  return text.replace(UNSAFE_INLINE, escape);
}

/** Whether the one character `ch` is one a terminal would act on (TAB and LF excepted). */
export function isUnsafeChar(ch: string): boolean {
  return ch.length > 0 && ch.replace(UNSAFE, '') === '';
}

/** Whether `text` holds a character a terminal would act on (TAB and LF excepted). */
export function hasUnsafeControls(text: string): boolean {
  return new RegExp(UNSAFE.source).test(text);
}

/** Whether `text` holds any control, bidi or direction character, TAB and LF included. */
export function hasControlChars(text: string): boolean {
  return new RegExp(UNSAFE_INLINE.source).test(text);
}
