/**
 * The helper's logic, separate from its process entry so tests drive it on fake trees: one
 * request in, progress lines and one result line out, an exit status back.
 */
import { PassthruError, toErrorData } from '../../../shared/errors';
import type { ApplyProgress } from '../../../shared/plan';
import { ApplyEngine } from '../apply/apply-engine';
import { JournalStore } from '../apply/journal-store';
import type { CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { RootFs } from '../fs/root-fs';
import { kernelFor } from '../ops/core';
import { HELPER_EXIT, parseHelperRequest, type HelperLine } from './helper-protocol';

export interface HelperDeps {
  root: string;
  stateDir: string;
  runCommand: CommandRunner;
  writer?: SysfsWriter;
  persistenceFiles?: (address: string) => { path: string; content: string }[];
  emit: (line: HelperLine) => void;
}

export async function runHelper(input: string, deps: HelperDeps): Promise<number> {
  let request;
  try {
    request = parseHelperRequest(input);
  } catch (err) {
    deps.emit({ type: 'error', error: new PassthruError('BAD_INPUT', (err as Error).message, null).toData() });
    return HELPER_EXIT.BAD_REQUEST;
  }
  const engine = new ApplyEngine({
    store: new JournalStore(deps.stateDir),
    context: { root: deps.root, fs: new RootFs(deps.root), runCommand: deps.runCommand, writer: deps.writer, kernel: kernelFor(deps.root, deps.writer), persistenceFiles: deps.persistenceFiles },
  });
  const onProgress = (progress: ApplyProgress): void =>
    deps.emit({ type: 'progress', progress });
  try {
    const result =
      request.verb === 'apply'
        ? await engine.apply(request.plan, { onProgress, reverses: request.reverses ?? null })
        : await engine.rollback(request.journalId, onProgress);
    deps.emit({ type: 'result', result });
    return result.ok ? HELPER_EXIT.OK : HELPER_EXIT.FAILED;
  } catch (err) {
    const data = toErrorData(err);
    deps.emit({ type: 'error', error: data });
    return data.code === 'BAD_INPUT' ? HELPER_EXIT.BAD_REQUEST : HELPER_EXIT.INTERNAL;
  }
}
