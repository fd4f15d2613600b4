/**
 * The helper's process half, shared by the installed entry (passthru-helper.ts) and the test
 * entry that runs the same process on a fake tree: reads the one request from stdin (capped),
 * writes each protocol line to stdout the moment it exists — the caller shows progress live —
 * and sets the exit status. What the helper acts on is decided by the entry, never by stdin.
 */
import { HELPER_EXIT, type HelperLine } from './helper-protocol';
import { runHelper, type HelperDeps } from './run-helper';

// A request is an intent and a digest: a few hundred bytes.
const MAX_REQUEST_BYTES = 64 * 1024;

/** Runs the helper as this process: stdin in, JSON lines out, `process.exitCode` set. */
export function runHelperProcess(deps: Omit<HelperDeps, 'emit'>): void {
  serve(deps).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`passthru-helper: ${String(err)}\n`);
      process.exitCode = HELPER_EXIT.INTERNAL;
    },
  );
}

async function serve(deps: Omit<HelperDeps, 'emit'>): Promise<number> {
  // On Linux, writes to a pipe from process.stdout are synchronous, so each line leaves the
  // process before the next step starts.
  const emit = (line: HelperLine): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      emit({ type: 'error', error: { code: 'BAD_INPUT', message: 'The request is too large.', remedy: null } });
      return HELPER_EXIT.BAD_REQUEST;
    }
    chunks.push(chunk as Buffer);
  }
  return runHelper(Buffer.concat(chunks).toString('utf8'), { ...deps, emit });
}
