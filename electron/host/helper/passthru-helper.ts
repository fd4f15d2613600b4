/**
 * The privileged helper, run as root by `pkexec /usr/lib/passthru/passthru-helper` (policy in
 * build/polkit/org.passthru.policy). It trusts nothing from its caller: fixed verbs only, every
 * step re-validated against the live host (root `/`, never a caller-chosen root), journaled
 * under /var/lib/passthru/journal before it is done. Protocol: helper-protocol.ts; stdin and
 * stdout handling: helper-process.ts.
 */
import { SYSTEM_JOURNAL_DIR } from '../apply/journal-store';
import { defaultPersistenceFiles } from '../changes/default-planner';
import { runCommand } from '../exec/run-command';
import { runHelperProcess } from './helper-process';

runHelperProcess({
  root: '/',
  stateDir: SYSTEM_JOURNAL_DIR,
  runCommand,
  persistenceFiles: defaultPersistenceFiles ?? undefined,
});
