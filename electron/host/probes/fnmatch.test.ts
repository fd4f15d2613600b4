import { describe, expect, it } from 'vitest';
import { fnmatch } from './fnmatch';

describe('fnmatch', () => {
  it('matches stars, including an empty run and a run across everything', () => {
    expect(fnmatch('pci:v00008086d000010C9sv*sd*bc*sc*i*', 'pci:v00008086d000010C9sv00008086sd0000A03Cbc02sc00i00')).toBe(true);
    expect(fnmatch('pci:v00008086d000010C9sv*sd*bc*sc*i*', 'pci:v00008086d000010CAsv00008086sd0000A03Cbc02sc00i00')).toBe(false);
    expect(fnmatch('pci:v*d*sv*sd*bc01sc06i01*', 'pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01')).toBe(true);
    expect(fnmatch('a*', 'a')).toBe(true);
    expect(fnmatch('*', '')).toBe(true);
    expect(fnmatch('a*/b', 'ax/y/b')).toBe(true);
  });

  it('matches ? and bracket expressions', () => {
    expect(fnmatch('pci:v0000?086', 'pci:v00008086')).toBe(true);
    expect(fnmatch('d0000[0-9A-F]1', 'd0000B1')).toBe(true);
    expect(fnmatch('d0000[!0-9]1', 'd000051')).toBe(false);
    expect(fnmatch('d0000[^0-9]1', 'd0000X1')).toBe(true);
    expect(fnmatch('[]a]', ']')).toBe(true);
    expect(fnmatch('x[a', 'x[a')).toBe(true);
  });

  it('honours backslash escapes and is case-sensitive', () => {
    expect(fnmatch('a\\*', 'a*')).toBe(true);
    expect(fnmatch('a\\*', 'ab')).toBe(false);
    expect(fnmatch('bc02', 'BC02')).toBe(false);
  });
});
