/**
 * Which files make up ifupdown's configuration: /etc/network/interfaces and, depth first at
 * each `source` or `source-directory` line, the files it pulls in — as ifupdown 0.8 reads
 * them (config.c): a relative path is taken from the directory of the file holding the line,
 * each word is a shell glob expanded in sorted order (a word matching nothing is skipped), a
 * directory contributes only the files whose names are all letters, digits, `_` and `-`
 * (no `foo.dpkg-old`), in sorted order, and a file is read once.
 */
import { posix } from 'node:path';
import type { HostFs } from '../fs/host-fs';
import { fnmatch } from '../probes/fnmatch';
import { logicalLines, sourceKeyword, splitLines } from './interfaces-syntax';

/** One file of the configuration; `path` is absolute inside the host root. */
export interface InterfacesFile {
  path: string;
  text: string;
}

export const INTERFACES_PATH = '/etc/network/interfaces';

/** Bounds against a configuration that sources itself in ever new ways. */
const MAX_DEPTH = 16;
const MAX_FILES = 256;
const SOURCE_DIRECTORY_NAME = /^[A-Za-z0-9_-]+$/;
const GLOB_CHARS = /[*?[]/;

/** Reads the interfaces file and every file it sources, in the order ifupdown starts reading them; missing files are skipped. */
export function readInterfacesFiles(fs: HostFs): InterfacesFile[] {
  const files: InterfacesFile[] = [];
  const seen = new Set<string>();

  const readFile = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH || files.length >= MAX_FILES) return;
    const real = fs.realPath(path);
    if (real === null || seen.has(real) || fs.isDirectory(path)) return;
    seen.add(real);
    const text = fs.readText(path);
    if (text === null) return;
    files.push({ path, text });
    const directory = posix.dirname(path);
    for (const line of logicalLines(splitLines(text))) {
      const [keyword, ...words] = line.words;
      const kind = keyword === undefined ? null : sourceKeyword(keyword);
      if (kind === null) continue;
      for (const word of words) {
        for (const target of expandGlob(fs, posix.resolve(directory, word))) {
          if (kind === 'source') readFile(target, depth + 1);
          else for (const name of fs.list(target).filter((n) => SOURCE_DIRECTORY_NAME.test(n))) readFile(posix.join(target, name), depth + 1);
        }
      }
    }
  };

  readFile(INTERFACES_PATH, 0);
  return files;
}

/** The paths an absolute glob matches, sorted, as glob(3) gives them to wordexp; the path itself when it has no wildcard. */
function expandGlob(fs: HostFs, pattern: string): string[] {
  if (!GLOB_CHARS.test(pattern)) return [pattern];
  let matches = ['/'];
  for (const segment of pattern.split('/').filter((s) => s !== '')) {
    if (!GLOB_CHARS.test(segment)) {
      matches = matches.map((dir) => posix.join(dir, segment));
      continue;
    }
    matches = matches.flatMap((dir) =>
      fs
        .list(dir)
        .filter((name) => (!name.startsWith('.') || segment.startsWith('.')) && fnmatch(segment, name))
        .map((name) => posix.join(dir, name)),
    );
  }
  return matches.sort();
}
