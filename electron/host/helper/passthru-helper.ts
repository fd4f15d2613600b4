/**
 * The privileged helper, run as root by `pkexec /usr/lib/passthru/passthru-helper` (policy in
 * build/polkit/org.passthru.policy). It trusts nothing from its caller: it takes an intent
 * and the fingerprint of the plan shown, plans the intent itself on the live host (root `/`,
 * never a caller-chosen root) with every safety check, acts only on that plan, for the user
 * pkexec names (PKEXEC_UID), and journals under /var/lib/passthru/journal before each step.
 * Protocol: helper-protocol.ts; stdin and stdout handling: helper-process.ts.
 */
import { SYSTEM_JOURNAL_DIR } from '../apply/journal-store';
import { runCommand } from '../exec/run-command';
import { runHelperProcess } from './helper-process';

runHelperProcess({ root: '/', stateDir: SYSTEM_JOURNAL_DIR, runCommand, env: process.env });
