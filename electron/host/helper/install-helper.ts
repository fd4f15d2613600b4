/**
 * Installing the pkexec helper and its polkit policy from a package that is not the deb (the
 * `npm pack` tarball installed with `npm install -g`, or a checkout): what the deb's
 * build/deb/after-install.sh does, for `passthru install-helper`. pkexec runs only the
 * policy's exec.path, HELPER_PATH, so the helper must be copied there: root-owned, mode 0755,
 * in a root-owned 0755 directory, never a file a user could change. pkexec clears PATH, and
 * an npm install's Node need not be the deb's /usr/bin/node, so the copy's `#!` line names the
 * Node that runs the installer, by its absolute path. Every write goes through ConfinedFs
 * under the root (`/`, or a tree given with --root): no link leads a write out of it.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { PassthruError } from '#shared/errors';
import { ConfinedFs } from '../exec/confined-fs';
import { HELPER_PATH } from './helper-protocol';

/** Where polkit reads the policy that names HELPER_PATH (as the deb installs it). */
export const POLICY_PATH = '/usr/share/polkit-1/actions/org.passthru.policy';

/**
 * Old kernels read only the first 127 bytes of a `#!` line, and any space or tab in it ends
 * the interpreter's path: an interpreter path that does not fit is refused, not cut short.
 */
const MAX_SHEBANG_BYTES = 127;

export interface HelperSources {
  /** The built helper (dist/helper/passthru-helper.cjs). */
  helper: string;
  /** build/polkit/org.passthru.policy. */
  policy: string;
}

/** One file to install, as the plan of `passthru install-helper` shows it. */
export interface HelperFile {
  /** Where it goes, inside the root. */
  path: string;
  /** The packaged file it is copied from. */
  from: string;
  mode: number;
  content: Buffer;
}

/** The directory only root may write that holds the helper. */
export const HELPER_DIR = path.posix.dirname(HELPER_PATH);

/** The script with its `#!` line replaced by one naming `interpreter`. */
export function withInterpreter(script: string, interpreter: string): string {
  const line = `#!${interpreter}`;
  if (/\s/.test(interpreter) || !path.isAbsolute(interpreter) || Buffer.byteLength(line) > MAX_SHEBANG_BYTES) {
    throw new PassthruError(
      'ENVIRONMENT',
      `The helper cannot name ${JSON.stringify(interpreter)} as its interpreter: a #! line needs an absolute path without spaces, at most ${MAX_SHEBANG_BYTES - 2} bytes long.`,
      'Run passthru install-helper with a Node installed at a shorter path without spaces (for example /usr/bin/node).',
    );
  }
  const lineEnd = script.indexOf('\n');
  const body = !script.startsWith('#!') ? script : lineEnd === -1 ? '' : script.slice(lineEnd + 1);
  return `${line}\n${body}`;
}

/** The files to install, read from the package (ENVIRONMENT when it lacks one). */
export function helperFiles(sources: HelperSources, interpreter: string): HelperFile[] {
  const read = (file: string): Buffer => {
    try {
      return nodeFs.readFileSync(file);
    } catch (err) {
      throw new PassthruError(
        'ENVIRONMENT',
        `This copy of Passthru has no ${path.basename(file)} to install (${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
        'In a checkout, run `npm run build` first; otherwise reinstall the passthru package.',
      );
    }
  };
  return [
    { path: HELPER_PATH, from: sources.helper, mode: 0o755, content: Buffer.from(withInterpreter(read(sources.helper).toString('utf8'), interpreter)) },
    { path: POLICY_PATH, from: sources.policy, mode: 0o644, content: read(sources.policy) },
  ];
}

/**
 * Writes the files under `root`, each atomically (a temporary file renamed over the target),
 * and makes the helper's directory 0755; with `owner`, everything it writes belongs to that
 * owner (root:root for a system), the directory included, as after-install.sh does.
 */
export function installHelperFiles(root: string, files: readonly HelperFile[], owner?: { uid: number; gid: number }): void {
  const fs = new ConfinedFs(root);
  fs.mkdir(HELPER_DIR, 0o755);
  // A directory that was already there (left behind, or made by someone else) must end up
  // writable by root alone, or its owner could swap the helper pkexec runs as root.
  if (owner) fs.chown(HELPER_DIR, owner.uid, owner.gid);
  fs.chmod(HELPER_DIR, 0o755);
  for (const file of files) fs.writeFile(file.path, file.content, { mode: file.mode, dirMode: 0o755, owner });
}

export interface PathStat {
  uid: number;
  mode: number;
}

/**
 * Why the Node at `interpreter` is not fit to run as root on pkexec's behalf, or null: it and
 * every directory above it must belong to root and be writable by no one else, or whoever
 * may change them could change what runs as root. `stat` follows links (tests fake it).
 */
export function interpreterWeakness(interpreter: string, stat: (p: string) => PathStat = nodeFs.statSync): string | null {
  for (let p = interpreter; ; p = path.dirname(p)) {
    let st: PathStat;
    try {
      st = stat(p);
    } catch (err) {
      return `${p} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`;
    }
    if (st.uid !== 0) return `${p} belongs to user ${st.uid}, not root`;
    if ((st.mode & 0o022) !== 0) return `${p} may be written by ${(st.mode & 0o002) !== 0 ? 'anyone' : 'its group'}`;
    if (p === path.dirname(p)) return null;
  }
}
