/**
 * Where the revert timer of confirm-or-revert comes from. The timer is Passthru itself, started
 * again detached (exec/detached-process.ts) by the root side that applied the change — the CLI
 * under sudo, `passthru serve` as root, or the pkexec helper — so it needs no systemd and does
 * not depend on the process, window or connection that asked. Each entry point says how it is
 * started again ({@link useSelfAsRevertTimer}); code that is not one (tests) passes a launcher.
 */
import * as path from 'node:path';
import { startDetached } from '../exec/detached-process';

export interface RevertTimerJob {
  root: string;
  stateDir: string;
  journalId: string;
}

/** Starts a timer for one change; throws when it cannot. */
export type RevertTimerLauncher = (job: RevertTimerJob) => void;

let self: readonly string[] | null = null;

/**
 * Called once by an entry point (the CLI, the helper): the argv that starts this program as a
 * revert timer, to which `--journal ID --state-dir DIR --root DIR` are added.
 */
export function useSelfAsRevertTimer(argv: readonly string[]): void {
  self = [...argv];
}

/** The timer of the running program, or null when the entry point named none. */
export function selfRevertTimer(): RevertTimerLauncher | null {
  const prefix = self;
  if (prefix === null) return null;
  return (job) => {
    startDetached([...prefix, '--journal', job.journalId, '--state-dir', job.stateDir, '--root', job.root], {
      logFile: path.join(job.stateDir, `${job.journalId}.revert.log`),
    });
  };
}
