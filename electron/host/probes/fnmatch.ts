/**
 * POSIX fnmatch(3) with flags 0 — `*`, `?`, `[...]` (with `!`/`^` negation and ranges) and
 * backslash escapes; `*` also matches `/`. This is how libkmod (and so `lspci -k` and
 * `modprobe`) matches a device's modalias against `modules.alias` patterns.
 */
export function fnmatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern.charAt(p);
    if (p < pattern.length && pc === '*') {
      starP = p++;
      starT = t;
      continue;
    }
    if (p < pattern.length && pc !== '*') {
      const step = matchOne(pattern, p, text.charAt(t));
      if (step > 0) {
        p += step;
        t++;
        continue;
      }
    }
    if (starP === -1) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (pattern.charAt(p) === '*') p++;
  return p === pattern.length;
}

/** Pattern length consumed when the element at `p` matches `c`; 0 when it does not. */
function matchOne(pattern: string, p: number, c: string): number {
  const pc = pattern.charAt(p);
  if (pc === '?') return 1;
  if (pc === '\\' && p + 1 < pattern.length) return pattern.charAt(p + 1) === c ? 2 : 0;
  if (pc === '[') {
    const cls = parseBracket(pattern, p);
    if (cls === null) return pc === c ? 1 : 0; // unterminated '[' is a literal
    return cls.test(c) ? cls.length : 0;
  }
  return pc === c ? 1 : 0;
}

interface Bracket {
  length: number;
  test(c: string): boolean;
}

function parseBracket(pattern: string, start: number): Bracket | null {
  let i = start + 1;
  const negate = pattern.charAt(i) === '!' || pattern.charAt(i) === '^';
  if (negate) i++;
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < pattern.length) {
    let c = pattern.charAt(i);
    if (c === ']' && !first) {
      const length = i + 1 - start;
      return {
        length,
        test: (ch) => ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== negate,
      };
    }
    first = false;
    if (c === '\\' && i + 1 < pattern.length) c = pattern.charAt(++i);
    if (pattern.charAt(i + 1) === '-' && i + 2 < pattern.length && pattern.charAt(i + 2) !== ']') {
      let hi = pattern.charAt(i + 2);
      i += 2;
      if (hi === '\\' && i + 1 < pattern.length) hi = pattern.charAt(++i);
      ranges.push([c, hi]);
    } else {
      ranges.push([c, c]);
    }
    i++;
  }
  return null;
}
