/**
 * The privileged helper, run as root by `pkexec /usr/lib/passthru/passthru-helper` (policy in
 * build/polkit/org.passthru.policy). It trusts nothing from its caller: fixed verbs only, every
 * step re-validated against the live host (root `/`, never a caller-chosen root), journaled
 * under /var/lib/passthru/journal before it is done. Protocol: helper-protocol.ts.
 */
import { SYSTEM_JOURNAL_DIR } from '../apply/journal-store';
import { defaultPersistenceFiles } from '../changes/default-planner';
import { runCommand } from '../exec/run-command';
import { HELPER_EXIT } from './helper-protocol';
import { runHelper } from './run-helper';

const MAX_REQUEST = 4 * 1024 * 1024;

async function main(): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST) {
      process.stdout.write(`${JSON.stringify({ type: 'error', error: { code: 'BAD_INPUT', message: 'The request is too large.', remedy: null } })}\n`);
      return HELPER_EXIT.BAD_REQUEST;
    }
    chunks.push(chunk as Buffer);
  }
  return runHelper(Buffer.concat(chunks).toString('utf8'), {
    root: '/',
    stateDir: SYSTEM_JOURNAL_DIR,
    runCommand,
    persistenceFiles: defaultPersistenceFiles ?? undefined,
    emit: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`passthru-helper: ${String(err)}\n`);
    process.exitCode = HELPER_EXIT.INTERNAL;
  },
);
