/**
 * `passthru install-helper`: installs the pkexec helper and its polkit policy where pkexec
 * looks for them, for a Passthru installed without the deb (`npm install -g` of the `npm pack`
 * tarball, or a checkout), so changes made in the app or in `passthru serve` by a user can go
 * through pkexec. Root only on the live system; `--root DIR` writes into a tree of files instead.
 */
import { join } from 'node:path';
import { badInput, PassthruError } from '#shared/errors';
import { HELPER_DIR, helperFiles, installHelperFiles, interpreterWeakness, type HelperFile } from '../../host/helper/install-helper';
import { COMMON_OPTIONS, ROOT_OPTION, resolveRoot, type CliCommand } from '../command-line';

/**
 * Where the package keeps what it installs. The CLI bundle is dist/cli/passthru.cjs in a
 * checkout and in the npm package alike (package.json "files"), the helper is built next to
 * it, and the policy is the repository's own.
 */
const SOURCES = {
  helper: join(__dirname, '../helper/passthru-helper.cjs'),
  policy: join(__dirname, '../../build/polkit/org.passthru.policy'),
};

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

export const installHelperCommand: CliCommand = {
  name: 'install-helper',
  summary: 'Install the privileged helper and its polkit policy (as the .deb does), for an npm install.',
  usage: 'passthru install-helper [--dry-run] [--root DIR] [--json]',
  details: [
    '--dry-run   Say what would be written, and write nothing.',
    '--root DIR  Write into this tree of files instead of this machine (root not needed).',
    '--json      Print the files as JSON.',
    '',
    'Copies the helper to /usr/lib/passthru/passthru-helper (root-owned, 0755), its first line',
    'naming the Node that runs this command, and the polkit policy to',
    '/usr/share/polkit-1/actions/org.passthru.policy (0644). Run it as root: sudo passthru',
    'install-helper. Run it again after upgrading Passthru or moving Node.',
  ],
  options: { ...COMMON_OPTIONS, ...ROOT_OPTION, 'dry-run': { type: 'boolean' } },
  positionals: [],
  async run(args, io) {
    const v = args.values;
    const root = resolveRoot(v.root);
    const euid = process.geteuid?.() ?? 0;
    // Only root may write where pkexec looks; a tree of files is whoever's may write it.
    if (root === '/' && euid !== 0 && !v['dry-run']) {
      throw badInput(
        'Installing the helper writes to /usr/lib/passthru and /usr/share/polkit-1, which only root may do.',
        'Run `sudo passthru install-helper` (or add --dry-run to see what it writes).',
      );
    }
    const interpreter = process.execPath;
    // On this machine the helper will run as root with this Node: it must be root's alone.
    const weakness = root === '/' ? interpreterWeakness(interpreter) : null;
    if (weakness !== null) {
      throw new PassthruError(
        'REFUSED',
        `The helper would run as root with the Node at ${interpreter}, but ${weakness}, so whoever may change it could run anything as root; nothing was written.`,
        'Run it with a Node that belongs to root, e.g. `sudo /usr/bin/node "$(command -v passthru)" install-helper`, or install Node.js from your distribution.',
      );
    }
    const files = helperFiles(SOURCES, interpreter);
    const owner = euid === 0 ? { uid: 0, gid: 0 } : undefined;
    // On this machine only root gets past the check above (a dry run shows what root would do).
    const ownerWord = owner || root === '/' ? 'root:root' : 'yours (not run as root)';
    const at = (p: string) => (root === '/' ? p : join(root, p));

    if (!v['dry-run']) installHelperFiles(root, files, owner);
    if (v.json) {
      const listed = files.map((f) => ({ path: at(f.path), from: f.from, mode: octal(f.mode), owner: ownerWord === 'root:root' ? 'root:root' : null }));
      io.out(`${JSON.stringify({ [v['dry-run'] ? 'wouldInstall' : 'installed']: listed, interpreter })}\n`);
      return;
    }
    const line = (f: HelperFile) => `  ${at(f.path)}  ${octal(f.mode)}, ${ownerWord}, from ${f.from}\n`;
    io.out(v['dry-run'] ? `Would write (nothing written):\n  ${at(HELPER_DIR)}/  0755, ${ownerWord}\n` : 'Installed:\n');
    for (const f of files) io.out(line(f));
    io.out(`The helper's #! line names ${interpreter}: run this again after upgrading Passthru or moving Node.\n`);
    if (!v['dry-run'] && root === '/') io.out("Changes made in the app or in `passthru serve` by a user now go through pkexec, which asks for an administrator's password.\n");
  },
};
