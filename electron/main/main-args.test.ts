import { describe, expect, it } from 'vitest';
import { parseMainArgs } from './main-args';

describe('parseMainArgs', () => {
  it('reads --root in both spellings and --allow-root', () => {
    expect(parseMainArgs(['--root', '/snap'], {})).toEqual({ root: '/snap', allowRoot: false });
    expect(parseMainArgs(['--root=/snap', '--allow-root'], {})).toEqual({ root: '/snap', allowRoot: true });
  });
  it('falls back to PASSTHRU_ROOT, and to the live host', () => {
    expect(parseMainArgs([], { PASSTHRU_ROOT: '/env' }).root).toBe('/env');
    expect(parseMainArgs([], {}).root).toBeNull();
  });
});
