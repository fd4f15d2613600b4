/**
 * The helper's logic, separate from its process entry so tests drive it on fake trees: one
 * request in, progress lines and one result line out, an exit status back. The request is an
 * intent with the digest of the plan shown (helper-protocol.ts); the executor plans it again
 * and refuses anything that is not exactly that plan, or that a safety check refuses.
 */
import { PassthruError, toErrorData } from '#shared/errors';
import type { ApplyProgress } from '#shared/plan';
import type { CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { ChangeExecutor } from '../changes/change-executor';
import { HELPER_EXIT, type HelperLine } from './helper-protocol';

export interface HelperDeps {
  root: string;
  stateDir: string;
  runCommand: CommandRunner;
  writer?: SysfsWriter;
  /** The environment pkexec gave us: PKEXEC_UID names the user the change is for. */
  env: NodeJS.ProcessEnv;
  emit: (line: HelperLine) => void;
}

/**
 * PKEXEC_UID as a uid: the user the change is made for. Null (nothing restricted) when root
 * asked — through pkexec (0) or by running the helper itself (unset).
 */
export function callerUidFrom(env: NodeJS.ProcessEnv): number | null {
  const raw = env.PKEXEC_UID;
  if (raw === undefined) return null;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 0xfffffffe) throw new PassthruError('BAD_INPUT', `PKEXEC_UID ${JSON.stringify(raw)} is not a uid.`, null);
  return Number(raw) === 0 ? null : Number(raw);
}

export async function runHelper(input: string, deps: HelperDeps): Promise<number> {
  const fail = (err: unknown): number => {
    const data = toErrorData(err);
    deps.emit({ type: 'error', error: data });
    return data.code === 'BAD_INPUT' ? HELPER_EXIT.BAD_REQUEST : data.code === 'INTERNAL' ? HELPER_EXIT.INTERNAL : HELPER_EXIT.REFUSED;
  };
  let request: unknown;
  let caller: number | null;
  try {
    caller = callerUidFrom(deps.env);
    try {
      request = JSON.parse(input);
    } catch {
      throw new PassthruError('BAD_INPUT', 'The request is not JSON.', null);
    }
  } catch (err) {
    return fail(err);
  }
  const executor = new ChangeExecutor({ root: deps.root, stateDir: deps.stateDir, caller: { uid: caller }, runCommand: deps.runCommand, writer: deps.writer });
  const onProgress = (progress: ApplyProgress): void => deps.emit({ type: 'progress', progress });
  try {
    const result = await executor.apply(request as never, onProgress, (check) => deps.emit({ type: 'check', check }));
    deps.emit({ type: 'result', result });
    return result.ok ? HELPER_EXIT.OK : HELPER_EXIT.FAILED;
  } catch (err) {
    return fail(err);
  }
}
