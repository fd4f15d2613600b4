/**
 * Entry of the `passthru` binary (bundled to dist/cli/passthru.cjs, package.json "bin").
 * Sets the exit code instead of calling process.exit so piped output is fully flushed.
 */
import { useSelfAsRevertTimer } from '../host/changes/revert-timer';
import type { CliIo } from './command-line';
import { main } from './main';

// A change under confirm-or-revert is put back by this program started again, detached.
if (process.argv[1]) useSelfAsRevertTimer([process.execPath, process.argv[1], 'revert-timer']);

/** Writes to the process streams. */
const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

// A reader such as `head` hanging up is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw err;
});

void main(process.argv.slice(2), processIo).then((code) => {
  process.exitCode = code;
});
