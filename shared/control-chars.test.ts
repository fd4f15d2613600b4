/**
 * Making control characters visible: nothing a terminal acts on survives,
 * everything else is untouched, and JSON stays JSON meaning the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlChars, hasUnsafeControls, visibleControls, visibleInline } from './control-chars';
import { hostileText, TERMINAL_ACTORS } from './testing/text-arbitraries';

describe('visibleControls', () => {
  it('escapes ESC, CSI, other C0/C1, DEL and the bidi characters; keeps TAB and LF', () => {
    expect(visibleControls('a\u001b[2Jb')).toBe('a\\u001b[2Jb');
    expect(visibleControls('\u009b31m')).toBe('\\u009b31m');
    expect(visibleControls('x\u202ey\u2066z\u2069')).toBe('x\\u202ey\\u2066z\\u2069');
    expect(visibleControls('one\ttwo\nthree\r')).toBe('one\ttwo\nthree\\u000d');
    for (const ch of TERMINAL_ACTORS) expect(hasUnsafeControls(visibleControls(ch))).toBe(false);
  });

  it('leaves no unsafe character in any text, and changes nothing else (fast-check)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const shown = visibleControls(text);
        expect(hasUnsafeControls(shown)).toBe(false);
        expect(hasControlChars(visibleInline(text))).toBe(false);
        if (!hasUnsafeControls(text)) expect(shown).toBe(text);
      }),
    );
  });

  it('applied to JSON text, gives valid JSON of the same value (fast-check)', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        hostileText,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(hostileText, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.boolean(), (v, pretty) => {
        const text = visibleControls(JSON.stringify(v, null, pretty ? 2 : undefined));
        expect(hasUnsafeControls(text)).toBe(false);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
