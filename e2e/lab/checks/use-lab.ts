/** Shared set-up of the lab test files: which scenarios to run, and one boot per describe block. */
import { afterAll, beforeAll } from 'vitest';
import { bootLab, type LabHandle } from '../boot';
import { recordTiming } from './timings';

const wanted = process.env.LAB_SCENARIOS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** LAB_SCENARIOS=seed,shared-group limits a run to those scenarios. */
export const runs = (name: string): boolean => !wanted || wanted.includes(name);

/** Boots a scenario once for a describe block and records how long it all took under `suite-name`. */
export function useLab(name: string, suite: string): () => LabHandle {
  let lab: LabHandle | undefined;
  let t0 = 0;
  beforeAll(async () => {
    t0 = Date.now();
    lab = await bootLab(name);
    recordTiming(`${suite}-${name}`, 'ready', lab.timings.readyMs);
  });
  afterAll(async () => {
    await lab?.shutdown();
    recordTiming(`${suite}-${name}`, 'total', Date.now() - t0);
  });
  return () => lab!;
}
