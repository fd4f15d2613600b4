/**
 * Running a plan through `pkexec <helper>` (GUI and CLI without root). The helper's stdout is
 * read line by line while it works, so each progress line reaches the caller as the step
 * happens; the last result (or error) line is the outcome. pkexec's own exit statuses are
 * turned into plain words: 126 = the user dismissed the password dialog; 127 = polkit did not
 * authorize, but pkexec also exits 127 when the program (or its interpreter, /usr/bin/node)
 * cannot be started, so 127 means "not authorized" only when pkexec's stderr says so or says
 * nothing, and otherwise a broken install (ENVIRONMENT, with pkexec's words).
 */
import * as fs from 'node:fs';
import type { LiveCheckResult } from '#shared/confirm-window';
import { PassthruError } from '#shared/errors';
import type { ApplyProgress, ApplyResult } from '#shared/plan';
import { CommandError, type CommandRunner } from '../exec/run-command';
import { HELPER_EXIT, HELPER_PATH, PKEXEC_DISMISSED, PKEXEC_NOT_AUTHORIZED, parseHelperLine, type HelperLine, type HelperRequest } from '../helper/helper-protocol';

/** The command that runs the installed helper as root. */
export const PKEXEC_HELPER_ARGV: readonly string[] = ['pkexec', HELPER_PATH];

/**
 * True when the helper pkexec would run is installed: by the deb, or by `passthru install-helper`
 * (an npm install). The AppImage cannot install it (pkexec runs only the policy's exec.path,
 * never a file inside the AppImage's mount).
 */
export function isHelperInstalled(helperPath: string = HELPER_PATH): boolean {
  return fs.existsSync(helperPath);
}

/** Why elevated changes are impossible on this install, before pkexec is tried. */
export function helperNotInstalledError(): PassthruError {
  return new PassthruError(
    'ENVIRONMENT',
    `Passthru's privileged helper is not installed (${HELPER_PATH} does not exist), so this copy of Passthru cannot change devices; the AppImage cannot install it.`,
    "Install the .deb package, or run `sudo passthru install-helper` where Passthru was installed with npm, or use Passthru's command line as root (with sudo).",
  );
}

/** pkexec's words when polkit said no (exit 127), as opposed to failing to start the program. */
const NOT_AUTHORIZED_STDERR = /not authori[sz]ed/i;

/** An apply can wait on a password dialog and on slow driver unbinds: be generous. */
const HELPER_TIMEOUT_MS = 10 * 60_000;

export interface ElevatedRunOptions {
  /** Called for each progress line as the helper prints it. */
  onProgress?: (progress: ApplyProgress) => void;
  /** Called for each check of a change under confirm-or-revert, as the helper prints it. */
  onCheck?: (check: LiveCheckResult) => void;
  /** The command that runs the helper as root (default {@link PKEXEC_HELPER_ARGV}); tests point it at a fake pkexec. */
  helperArgv?: readonly string[];
  timeoutMs?: number;
}

type Outcome = Extract<HelperLine, { type: 'result' | 'error' }>;

export async function runViaHelper(run: CommandRunner, request: HelperRequest, options: ElevatedRunOptions = {}): Promise<ApplyResult> {
  // What the helper has said so far. Lines that are not protocol lines are harmless beside a
  // result, and the only clue without one.
  const heard: { outcome: Outcome | null; strayLines: string[] } = { outcome: null, strayLines: [] };
  const onStdoutLine = (text: string): void => {
    if (text.trim() === '') return;
    const line = parseHelperLine(text);
    if (line === null) heard.strayLines.push(text);
    else if (line.type === 'progress') options.onProgress?.(line.progress);
    else if (line.type === 'check') options.onCheck?.(line.check);
    else heard.outcome = line;
  };

  let stderr: string;
  try {
    ({ stderr } = await run([...(options.helperArgv ?? PKEXEC_HELPER_ARGV)], {
      input: JSON.stringify(request),
      timeoutMs: options.timeoutMs ?? HELPER_TIMEOUT_MS,
      // A failed step is a result (rolled back or not), not a failure of the helper.
      okExitCodes: [HELPER_EXIT.FAILED],
      onStdoutLine,
    }));
  } catch (err) {
    throw explainFailure(err, heard.outcome);
  }
  if (heard.outcome?.type === 'result') return heard.outcome.result;
  if (heard.outcome?.type === 'error') throw PassthruError.fromData(heard.outcome.error);
  const detail = [...heard.strayLines, stderr].join('\n').trim();
  throw new PassthruError('INTERNAL', 'The helper ended without a result.', null, detail || null);
}

/** Why running the helper failed, in the words the user should see. */
function explainFailure(err: unknown, outcome: Outcome | null): unknown {
  if (!(err instanceof CommandError)) return err;
  if (err.failure === 'exit') {
    if (err.exitCode === PKEXEC_DISMISSED) {
      return new PassthruError('REFUSED', 'The authentication dialog was dismissed; nothing was changed.', 'Apply again and enter your password.');
    }
    if (err.exitCode === PKEXEC_NOT_AUTHORIZED) {
      const said = err.stderr.trim();
      if (said === '' || NOT_AUTHORIZED_STDERR.test(said)) {
        return new PassthruError(
          'REFUSED',
          'You are not authorized to change devices on this host; nothing was changed.',
          "Ask an administrator, or use Passthru's command line as root (with sudo).",
        );
      }
      return new PassthruError(
        'ENVIRONMENT',
        `pkexec could not start Passthru's helper: ${said.split('\n')[0]}`,
        `Reinstall passthru; the helper at ${HELPER_PATH} could not be started.`,
        said,
      );
    }
    if (outcome?.type === 'error') return PassthruError.fromData(outcome.error);
  }
  if (err.failure === 'not-found') {
    return new PassthruError(
      'ENVIRONMENT',
      'pkexec is not installed, so Passthru cannot ask for privileges.',
      "Install polkit (pkexec), or use Passthru's command line as root (with sudo).",
    );
  }
  return err;
}
