/** Hand-made plans and engine set-up shared by the apply/changes tests (no planner needed). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OpCall, Plan, PlanStep } from '#shared/plan';
import type { CommandRunner } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { FakeKernel } from './fake-kernel';
import { buildFakeHost, labHostSpec, makeTempRoot } from './fake-sysfs';
import { ChangeExecutor } from '../changes/change-executor';
import { planDigest } from '../changes/plan-digest';
import type { ApplyResult, ChangeIntent } from '#shared/plan';
import { ApplyEngine } from '../apply/apply-engine';
import { JournalStore } from '../apply/journal-store';

export function step(id: string, op: OpCall, undo: OpCall | null): PlanStep {
  return { id, title: `${op.verb} (${id})`, op, shell: [], verify: '', undo, undoShell: [] };
}

/** Assign 0000:01:10.0 (igbvf, group 3) to vfio-pci, ordered so the reverse is exact. */
export function assignVfPlan(id = 'plan-1'): Plan {
  const a = '0000:01:10.0';
  return {
    id,
    kind: 'assign',
    createdAt: '2026-01-01T00:00:00.000Z',
    target: a,
    devices: [a],
    force: false,
    checks: [],
    refusal: null,
    noop: false,
    steps: [
      step('unbind', { verb: 'unbind', address: a, driver: 'igbvf' }, { verb: 'probe', address: a, expectDriver: 'igbvf' }),
      step('override', { verb: 'set-driver-override', address: a, driver: 'vfio-pci' }, { verb: 'set-driver-override', address: a, driver: null }),
      step('bind', { verb: 'probe', address: a, expectDriver: 'vfio-pci' }, { verb: 'unbind', address: a, driver: 'vfio-pci' }),
    ],
    original: { [a]: { driver: 'igbvf', driverOverride: null } },
    detail: { kind: 'assign', group: false, persist: false, ownerUid: null, expected: { iommuGroup: 3, groupViable: true, remainingBlockers: [] } },
  };
}

export interface Rig {
  root: string;
  stateDir: string;
  kernel: FakeKernel;
  runner: CommandRunner;
  engine: () => ApplyEngine;
  /** The executor over the same tree, journal and fake kernel, acting for `callerUid` (null: root). */
  executor: (callerUid?: number | null) => ChangeExecutor;
}

/** Plans `intent` and applies exactly that plan through `executor`, as a caller that saw it would. */
export async function planAndApply(executor: ChangeExecutor, intent: ChangeIntent, confirmText: string | null = null): Promise<ApplyResult> {
  const plan = await executor.plan(intent);
  return executor.apply({ intent, digest: planDigest(plan), confirmText });
}

/** The lab host as a fake tree, a fake kernel over it, and a fresh engine per call (a "restart"). */
export function makeRig(): Rig {
  const root = buildFakeHost(labHostSpec());
  const stateDir = makeTempRoot('passthru-state-');
  const kernel = new FakeKernel(root, {
    naturalDrivers: { '0000:01:10.0': 'igbvf', '0000:01:00.0': 'igb', '0000:00:04.0': 'e1000e' },
  });
  const runner: CommandRunner = async (argv) => {
    if (argv[0] === 'modprobe') fs.mkdirSync(path.join(root, 'sys/module', String(argv[1]).replace(/-/g, '_')), { recursive: true });
    return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
  };
  let n = 0;
  const engine = () =>
    new ApplyEngine({
      store: new JournalStore(stateDir),
      context: { root, fs: new RootFs(root), runCommand: runner, writer: kernel.writer },
      idFactory: () => `j${Date.now()}-${++n}`,
    });
  const executor = (callerUid: number | null = null) =>
    new ChangeExecutor({ root, stateDir, caller: { uid: callerUid }, runCommand: runner, writer: kernel.writer, idFactory: () => `j${Date.now()}-${++n}` });
  return { root, stateDir, kernel, runner, engine, executor };
}
