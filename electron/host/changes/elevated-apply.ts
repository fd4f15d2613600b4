/**
 * Running a plan through `pkexec <helper>` (GUI and CLI without root). pkexec's own exit
 * statuses are turned into plain words: 126 = the user dismissed the password dialog,
 * 127 = polkit did not authorize. Progress lines are replayed once the helper is done (the
 * exec seam collects output; streaming is a later improvement).
 */
import { PassthruError } from '../../../shared/errors';
import type { ApplyProgress, ApplyResult } from '../../../shared/plan';
import { CommandError, type CommandRunner } from '../exec/run-command';
import { HELPER_PATH, PKEXEC_DISMISSED, PKEXEC_NOT_AUTHORIZED, type HelperLine, type HelperRequest } from '../helper/helper-protocol';

export async function runViaHelper(
  run: CommandRunner,
  request: HelperRequest,
  onProgress?: (p: ApplyProgress) => void,
): Promise<ApplyResult> {
  let stdout: string;
  try {
    stdout = (await run(['pkexec', HELPER_PATH], { input: JSON.stringify(request), timeoutMs: 10 * 60_000, okExitCodes: [4] })).stdout;
  } catch (err) {
    if (err instanceof CommandError && err.failure === 'exit') {
      if (err.exitCode === PKEXEC_DISMISSED) {
        throw new PassthruError('REFUSED', 'The authentication dialog was dismissed; nothing was changed.', 'Apply again and enter your password.');
      }
      if (err.exitCode === PKEXEC_NOT_AUTHORIZED) {
        throw new PassthruError('REFUSED', 'You are not authorized to change devices on this host; nothing was changed.', 'Ask an administrator, or run `sudo passthru`.');
      }
      const last = parseLines(err.stdout).at(-1);
      if (last?.type === 'error') throw PassthruError.fromData(last.error);
    }
    if (err instanceof CommandError && err.failure === 'not-found') {
      throw new PassthruError('ENVIRONMENT', 'pkexec is not installed, so Passthru cannot ask for privileges.', 'Install polkit (pkexec), or run `sudo passthru`.');
    }
    throw err;
  }
  const lines = parseLines(stdout);
  for (const l of lines) if (l.type === 'progress') onProgress?.(l.progress);
  const last = lines.at(-1);
  if (last?.type === 'result') return last.result;
  if (last?.type === 'error') throw PassthruError.fromData(last.error);
  throw new PassthruError('INTERNAL', 'The helper ended without a result.', null, stdout);
}

function parseLines(text: string): HelperLine[] {
  const out: HelperLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as HelperLine);
    } catch {
      // Not ours (e.g. a warning printed by the runtime): ignore.
    }
  }
  return out;
}
