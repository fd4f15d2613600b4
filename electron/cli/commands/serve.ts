/**
 * `passthru serve`: the whole app in a browser, for a host without a desktop. Secure by default:
 * on 127.0.0.1 unless told otherwise (reached from a laptop with `ssh -L`), a unix socket made
 * 0600, and any address the network can reach only with TLS; a new token on every start, traded
 * for a session cookie (electron/serve/access.ts). Runs until Ctrl-C or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { badInput, PassthruError } from '#shared/errors';
import { appliesInProcess } from '../../host/changes/change-service';
import { isHelperInstalled } from '../../host/changes/elevated-apply';
import { checkSnapshotRoot } from '../../host/service/host-service';
import { DEFAULT_PORT, parseListen, reachesTheNetwork } from '../../serve/listen-address';
import { checkRendererDir, sshForward, startServe, type ServeOptions } from '../../serve/start-serve';
import { startTerminalAgent, type TerminalAgent } from '../../host/exec/polkit-text-agent';
import { COMMON_OPTIONS, ROOT_OPTION, resolveRoot, usageError, type CliCommand } from '../command-line';
import { MAX_UID } from '../option-values';

const NAME = 'serve';

export const serveCommand: CliCommand = {
  name: NAME,
  summary: 'Serve the app to a browser (for a host without a desktop); loopback only unless given TLS.',
  usage: 'passthru serve [--port N] [--listen ADDR] [--tls-cert FILE --tls-key FILE] [--root DIR] [--state-dir DIR] [--dry-run]',
  details: [
    `--port N          The port (default ${DEFAULT_PORT}; 0 picks a free one).`,
    '--listen ADDR     Where to listen: an IP address of this machine (default 127.0.0.1, this',
    '                  machine only), localhost, or unix:PATH (a unix socket only you may open).',
    '                  Any address other machines can reach needs --tls-cert and --tls-key.',
    '--tls-cert FILE   A PEM certificate, and its private key: serve https and wss. The browser',
    '--tls-key FILE    must trust the certificate, and reach the server by a name it holds.',
    '--root DIR        Show a snapshot (read-only) instead of this machine.',
    '--state-dir DIR   Where the journal of changes is kept (default: the system journal).',
    '--dry-run         Check the options and the files, say where it would listen, and exit.',
    '--json            Print the address as JSON.',
    '',
    'Prints the address to open, with a token that is new on every start; the browser trades it',
    'for a session cookie at once. Without the token nothing is served. From a laptop, forward',
    'the port over ssh (the second line printed says how). Ctrl-C stops it.',
  ],
  options: {
    ...COMMON_OPTIONS,
    ...ROOT_OPTION,
    port: { type: 'string' },
    listen: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'state-dir': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  positionals: [],
  values: {
    port: { type: 'integer', min: 0, max: 65535 },
    listen: { type: 'text' },
    'tls-cert': { type: 'file' },
    'tls-key': { type: 'file' },
  },
  async run(args, io) {
    const v = args.values;
    const address = parseListen(typeof v.listen === 'string' ? v.listen : '127.0.0.1');
    if (address.kind === 'unix' && v.port !== undefined) throw usageError(NAME, '--port has no meaning with --listen unix:PATH.');
    const port = typeof v.port === 'string' ? Number(v.port) : DEFAULT_PORT;
    const tls = readTls(v['tls-cert'], v['tls-key']);
    if (reachesTheNetwork(address) && !tls) {
      throw badInput(
        `Listening on ${address.kind === 'tcp' ? address.host : ''} without TLS would send the token and the host's data across the network in clear.`,
        'Give --tls-cert FILE and --tls-key FILE, or keep the default 127.0.0.1 and reach it through `ssh -L`.',
      );
    }
    const root = resolveRoot(v.root);
    if (root !== '/') checkSnapshotRoot(root);
    const stateDir = typeof v['state-dir'] === 'string' ? v['state-dir'] : undefined;
    const seams = testSeams(process.env);
    // The CLI bundle is dist/cli/passthru.cjs; the renderer is built into dist/renderer.
    const rendererDir = join(__dirname, '../renderer');
    checkRendererDir(rendererDir);
    const uid = process.getuid?.() ?? null;
    const options: ServeOptions = {
      address,
      port,
      root,
      stateDir,
      tls,
      rendererDir,
      // Like the app: the user who runs it receives /dev/vfio/N; as root, nobody in particular.
      ownerUid: seams.owner === undefined ? (uid === null || uid === 0 ? undefined : uid) : (seams.owner ?? undefined),
      pollIntervalMs: seams.pollMs,
      watchEvents: seams.watch,
      restrictNat: seams.restrictNat,
      vmAccel: seams.vmAccel,
    };
    if (seams.names.length) io.err(`passthru: test settings in effect: ${seams.names.join(', ')}.\n`);

    if (v['dry-run']) {
      const where = address.kind === 'unix' ? `unix:${address.path}` : `${tls ? 'https' : 'http'} on ${address.host} port ${port === 0 ? 'any free one' : port}`;
      if (v.json) io.out(`${JSON.stringify({ serve: { listen: address, port: address.kind === 'unix' ? null : port, tls: tls !== undefined, root } })}\n`);
      else io.out(`Would serve the app ${where}, showing ${root === '/' ? 'this machine' : `the snapshot ${root}`}. ${changesLine(root, uid)}\n`);
      return;
    }

    // As a normal user on the live host, changes need polkit to ask for a password: here, in
    // this terminal, when no desktop does (a host reached over SSH).
    const agent = appliesInProcess('/') ? null : await startTerminalAgent({ pid: process.pid, terminal: process.stdin.isTTY === true });
    let running: Awaited<ReturnType<typeof startServe>>;
    try {
      running = await startServe({ ...options, passwordPrompt: () => agent?.prompt ?? 'none' });
    } catch (err) {
      agent?.stop();
      throw err;
    }
    const ssh = sshForward(address, running.port);
    if (v.json) {
      io.out(`${JSON.stringify({ serving: { url: running.url, ssh, inProcess: appliesInProcess('/') } })}\n`);
    } else {
      if (address.kind === 'unix') {
        // No browser opens a unix socket: the address is the forwarded one.
        io.out(`Passthru is serving on unix:${address.path}\n`);
        io.out(`Open ${running.url} after forwarding it (from another machine, or this one): ${ssh ?? ''}\n`);
      } else {
        io.out(`Passthru is serving at ${running.url}\n`);
        if (ssh) io.out(`From another machine: ${ssh}, then open the same address there.\n`);
      }
      io.out(`${changesLine(root, uid, agent)} Ctrl-C stops it.\n`);
    }
    await untilStopped();
    agent?.stop();
    await running.close();
    if (!v.json) io.err('passthru: stopped serving.\n');
  },
};

/**
 * How changes made in the page are applied, as ChangeService decides for this machine, and
 * where the password is asked for (`agent`: polkit's text agent, once it was tried).
 */
function changesLine(root: string, uid: number | null, agent: TerminalAgent | null = null): string {
  const shown = root === '/' ? '' : `Showing the snapshot ${root}, read-only ("Back to live host" in the page shows this machine). `;
  if (appliesInProcess('/')) return `${shown}Changes you make in the page are applied by this process${uid === 0 ? ', which runs as root' : ''}.`;
  const missing = isHelperInstalled() ? '' : ' (not installed here: run `sudo passthru install-helper` or install the .deb, or run `sudo passthru serve`)';
  const road = `${shown}Changes you make in the page go through pkexec and the Passthru helper${missing}`;
  if (agent?.prompt === 'terminal') return `${road}; polkit asks for the password here, in this terminal (or in your desktop's own dialog, where one runs).`;
  // Without polkit's text agent (no terminal, pkttyagent missing or refused), only a desktop's agent can ask.
  const why = agent?.reason ? ` No password prompt here: ${agent.reason}.` : '';
  return `${road}; polkit asks for an administrator's password only where an authentication agent runs (a desktop session).${why} To make changes without one, run \`sudo passthru serve\`.`;
}

/** Resolves on Ctrl-C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The certificate and key, read and checked to belong together; both or neither. */
function readTls(certFile: string | boolean | undefined, keyFile: string | boolean | undefined): ServeOptions['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (typeof certFile !== 'string' || typeof keyFile !== 'string') throw usageError(NAME, '--tls-cert and --tls-key go together: give both, or neither.');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw badInput(`Cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`, 'Give a file you may read.');
    }
  };
  const tls = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
  try {
    createSecureContext(tls);
  } catch (err) {
    const reason = ((err as Error).message.split('\n')[0] ?? '').replace(/[.:]+$/, '');
    throw badInput(`${certFile} and ${keyFile} are not a PEM certificate and its private key (${reason}).`, 'Give the certificate and the key that belongs to it, both in PEM.');
  }
  return tls;
}

/**
 * Test seams (CONTRIBUTING.md lists them with the other environment variables), read here and
 * nowhere else. They pin what tests compare (who receives a device, how often the host is
 * polled, TCG); none of them
 * loosens the listen address, TLS, the token or the cookie. PASSTHRU_CONFIG_DIR and
 * PASSTHRU_RUNTIME_DIR (the VM directories) are read by the profile store, as for `passthru vm`.
 */
export function testSeams(env: NodeJS.ProcessEnv): {
  names: string[];
  pollMs?: number;
  /** null: nobody receives /dev/vfio (PASSTHRU_TEST_OWNER=none). */
  owner?: number | null;
  restrictNat: boolean;
  /** When the kernel's events are used (PASSTHRU_TEST_WATCH; the benchmark measures both ways on one tree). */
  watch?: 'live' | 'never' | 'always';
  vmAccel?: 'auto' | 'kvm' | 'tcg';
} {
  const names = Object.keys(env)
    .filter((n) => n.startsWith('PASSTHRU_TEST_') && env[n] !== undefined)
    .sort();
  const bad = (name: string, expected: string) =>
    new PassthruError('BAD_INPUT', `${name} must be ${expected}, not ${JSON.stringify(env[name])}.`, `Unset ${name}: it is for tests.`);
  const poll = env.PASSTHRU_TEST_POLL_MS;
  if (poll !== undefined && !(/^\d{1,7}$/.test(poll) && Number(poll) <= 3_600_000)) throw bad('PASSTHRU_TEST_POLL_MS', 'a whole number of milliseconds (0 to 3600000)');
  const owner = env.PASSTHRU_TEST_OWNER;
  if (owner !== undefined && owner !== 'none' && !(/^\d{1,10}$/.test(owner) && Number(owner) <= MAX_UID)) throw bad('PASSTHRU_TEST_OWNER', 'a uid or none');
  const watch = env.PASSTHRU_TEST_WATCH;
  if (watch !== undefined && watch !== 'live' && watch !== 'never' && watch !== 'always') throw bad('PASSTHRU_TEST_WATCH', 'live, never or always');
  const accel = env.PASSTHRU_TEST_VM_ACCEL;
  if (accel !== undefined && accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw bad('PASSTHRU_TEST_VM_ACCEL', 'auto, kvm or tcg');
  return {
    names,
    pollMs: poll === undefined ? undefined : Number(poll),
    owner: owner === undefined ? undefined : owner === 'none' ? null : Number(owner),
    restrictNat: env.PASSTHRU_RESTRICT_NAT === '1',
    watch,
    vmAccel: accel,
  };
}
