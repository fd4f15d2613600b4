import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from './make-dirs';

describe('makeDirs', () => {
  it('makes every missing directory with the mode asked, and is a no-op when they exist', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-dirs-'));
    const deep = path.join(base, 'a', 'b', 'c');
    makeDirs(deep, 0o700);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(base, 'a')).mode & 0o777).toBe(0o700);
    makeDirs(deep);
  });

  it('fails at once under /proc (where recursive mkdir spins for ever) and on a file in the way', () => {
    expect(() => makeDirs('/proc/passthru-no-such/journal')).toThrow(/ENOENT/);
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-dirs-'));
    fs.writeFileSync(path.join(base, 'file'), '');
    expect(() => makeDirs(path.join(base, 'file', 'x'))).toThrow(/not a directory/);
  });
});
