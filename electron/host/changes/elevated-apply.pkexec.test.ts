/**
 * The pkexec path end to end, without polkit: ChangeService runs a fake `pkexec` (a shell
 * script that runs the program it is given, as pkexec does once authorized) which starts the
 * helper built by esbuild as scripts/build.mjs does. The helper process acts on a fake tree
 * through the fake kernel (passthru-helper.test-entry.ts); the installed entry
 * (passthru-helper.ts) is run too, on a request it must refuse before touching anything.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyProgress, ChangeRequest } from '#shared/plan';
import { assignVfPlan, makeRig, type Rig } from '../testing/apply-test-support';
import { runCommand } from '../exec/run-command';
import type { FakeHostHelperConfig } from '../helper/passthru-helper.test-entry';
import { ChangeService } from './change-service';
import { runViaHelper } from './elevated-apply';

const HELPER_DIR = fileURLToPath(new URL('../helper/', import.meta.url));
const VF = '0000:01:10.0';
const WRITE_DELAY_MS = 150;

/** Any well-formed request: these tests are about pkexec and the process, not the change. */
const someRequest: ChangeRequest = { intent: { kind: 'undo', journalId: 'j' }, digest: 'a'.repeat(64), confirmText: null };

let work: string;
let installedHelper: string;
let fakeHostHelper: string;

/** Bundles a helper entry with the options scripts/build.mjs uses for dist/helper. */
async function buildHelper(entry: string, outfile: string, shebang = '#!/usr/bin/node'): Promise<string> {
  await build({
    entryPoints: [path.join(HELPER_DIR, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    logLevel: 'warning',
    external: ['electron'],
    banner: { js: shebang },
  });
  fs.chmodSync(outfile, 0o755);
  return outfile;
}

interface FakePkexec {
  path: string;
  /** True once the program pkexec ran has exited. */
  helperExited(): boolean;
}

/**
 * A stand-in for pkexec. `authorize` runs the given program with a minimal environment (as
 * pkexec does) and leaves a marker when it has exited; `exec` runs the program itself, so the
 * kernel reads its shebang, and exits 127 with pkexec's message when that fails; `refuse`
 * prints pkexec's not-authorized message and exits 127; a number exits with that status
 * without running anything (126 dismissed, 127 not authorized, saying nothing).
 */
function fakePkexec(name: string, behaviour: 'authorize' | 'exec' | 'refuse' | number | 'hang'): FakePkexec {
  const script = path.join(work, name);
  const exited = path.join(work, `${name}.exited`);
  const body =
    behaviour === 'authorize'
      ? `env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin PKEXEC_UID=$(id -u) '${process.execPath}' "$@"\nstatus=$?\ntouch '${exited}'\nexit $status`
      : behaviour === 'exec'
        ? // A failed exec (ENOENT from the kernel) is reported on stderr by env here, as by
          // pkexec ("Error executing <program>: No such file or directory").
          `env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"\nstatus=$?\ntouch '${exited}'\nexit $status`
        : behaviour === 'refuse'
          ? `echo 'Error executing command as another user: Not authorized' >&2\necho >&2\necho 'This incident has been reported.' >&2\nexit 127`
          : behaviour === 'hang'
            ? 'exec sleep 30'
            : `exit ${behaviour}`;
  fs.writeFileSync(script, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { path: script, helperExited: () => fs.existsSync(exited) };
}

function helperConfig(rig: Rig, extra: Partial<FakeHostHelperConfig> = {}): string {
  const config: FakeHostHelperConfig = {
    root: rig.root,
    stateDir: rig.stateDir,
    naturalDrivers: { [VF]: 'igbvf' },
    writeDelayMs: WRITE_DELAY_MS,
    ...extra,
  };
  return JSON.stringify(config);
}

function serviceVia(rig: Rig, helperArgv: string[]): ChangeService {
  return new ChangeService({ root: rig.root, stateDir: rig.stateDir, inProcess: false, helperArgv });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'passthru-pkexec-'));
  installedHelper = await buildHelper('passthru-helper.ts', path.join(work, 'passthru-helper.cjs'));
  fakeHostHelper = await buildHelper('passthru-helper.test-entry.ts', path.join(work, 'fake-host-helper.cjs'));
}, 60_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('applying through pkexec and the helper process', () => {
  it('streams each progress line while the helper works, then returns its result', async () => {
    const rig = makeRig();
    const pkexec = fakePkexec('pkexec-stream', 'authorize');
    const svc = serviceVia(rig, [pkexec.path, fakeHostHelper, helperConfig(rig)]);
    const plan = await svc.planChange({ kind: 'assign', address: VF });

    const seen: { progress: ApplyProgress; at: number; helperExited: boolean; driver: string | null }[] = [];
    const result = await svc.apply(plan.id, {
      onProgress: (progress) => seen.push({ progress, at: Date.now(), helperExited: pkexec.helperExited(), driver: rig.kernel.driverOf(VF) }),
    });
    const resolvedAt = Date.now();

    expect(result).toMatchObject({ ok: true, planId: plan.id, rolledBack: false });
    expect(result.steps).toEqual([
      { id: `unbind-${VF}`, state: 'done' },
      { id: `override-${VF}`, state: 'done' },
      { id: `probe-${VF}`, state: 'done' },
    ]);
    expect(seen.map((s) => `${s.progress.stepId} ${s.progress.state}`)).toEqual([
      `unbind-${VF} running`,
      `unbind-${VF} done`,
      `override-${VF} running`,
      `override-${VF} done`,
      `probe-${VF} running`,
      `probe-${VF} done`,
    ]);
    // Every progress event names the plan the caller holds.
    expect(new Set(seen.map((s) => s.progress.planId))).toEqual(new Set([plan.id]));
    // Live, not replayed: every line arrived before the helper exited, the first one while the
    // VF was still on its own driver, and each write's delay shows between the events.
    expect(seen.every((s) => !s.helperExited)).toBe(true);
    expect(pkexec.helperExited()).toBe(true);
    expect(seen[0]?.driver).toBe('igbvf');
    expect(seen.at(-1)?.driver).toBe('vfio-pci');
    const first = seen[0]?.at ?? Infinity;
    expect(resolvedAt - first).toBeGreaterThanOrEqual(2 * WRITE_DELAY_MS);

    // The helper changed the tree and journaled the change where the service reads history.
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
    expect(fs.existsSync(path.join(rig.root, 'dev/vfio/3'))).toBe(true);
    expect((await svc.history()).entries.map((h) => [h.kind, h.state])).toEqual([['assign', 'applied']]);
  });

  it('returns a rolled-back result when a step fails in the helper (its exit status 4)', async () => {
    const rig = makeRig();
    const pkexec = fakePkexec('pkexec-fail', 'authorize');
    const svc = serviceVia(rig, [pkexec.path, fakeHostHelper, helperConfig(rig, { failNext: [{ suffix: '/drivers_probe', errno: 'ENODEV' }] })]);
    const states: string[] = [];
    const result = await svc.apply((await svc.planChange({ kind: 'assign', address: VF })).id, { onProgress: (p) => states.push(`${p.stepId} ${p.state}`) });
    expect(result).toMatchObject({ ok: false, failedStep: `probe-${VF}`, rolledBack: true });
    expect(states).toContain(`probe-${VF} failed`);
    expect(states.at(-1)).toBe(`unbind-${VF} undone`);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
  });

  it('reports pkexec exiting 126 as dismissed and 127 as not authorized, changing nothing', async () => {
    const rig = makeRig();
    for (const [status, words] of [
      [126, /dismissed/],
      [127, /not authorized/],
    ] as const) {
      const svc = serviceVia(rig, [fakePkexec(`pkexec-${status}`, status).path, fakeHostHelper, helperConfig(rig)]);
      const progress: ApplyProgress[] = [];
      const plan = await svc.planChange({ kind: 'assign', address: VF });
      await expect(svc.apply(plan.id, { onProgress: (p) => progress.push(p) })).rejects.toMatchObject({ code: 'REFUSED', message: words });
      expect(progress).toEqual([]);
    }
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    expect(await new ChangeService({ root: rig.root, stateDir: rig.stateDir }).history()).toEqual({ entries: [], unreadable: [] });
  });

  it("reports pkexec's not-authorized message as not authorized, and a helper that cannot start as a broken install", async () => {
    const refused = fakePkexec('pkexec-refuse', 'refuse');
    await expect(runViaHelper(runCommand, someRequest, { helperArgv: [refused.path, installedHelper] })).rejects.toMatchObject({
      code: 'REFUSED',
      message: /not authorized/,
    });

    // The installed helper as built, but with an interpreter that does not exist (the deb's
    // nodejs missing): the program cannot start, and pkexec exits 127 with other words.
    const noInterpreter = await buildHelper('passthru-helper.ts', path.join(work, 'no-interpreter-helper.cjs'), '#!/nonexistent/bin/node');
    const pkexec = fakePkexec('pkexec-exec', 'exec');
    const err = await runViaHelper(runCommand, someRequest, { helperArgv: [pkexec.path, noInterpreter] }).catch((e: unknown) => e);
    expect(pkexec.helperExited()).toBe(true);
    expect(err).toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringContaining("pkexec could not start Passthru's helper"),
      remedy: 'Reinstall passthru; the helper at /usr/lib/passthru/passthru-helper could not be started.',
      detail: expect.stringContaining('no-interpreter-helper.cjs'),
    });
    expect((err as Error).message).not.toMatch(/not authorized/i);
  });

  it('stops a helper that does not finish in time', async () => {
    const pkexec = fakePkexec('pkexec-hang', 'hang');
    await expect(runViaHelper(runCommand, someRequest, { helperArgv: [pkexec.path], timeoutMs: 300 })).rejects.toMatchObject({
      failure: 'timeout',
    });
  });

  it('runs the installed helper entry, which refuses steps, and bad arguments, before touching the host', async () => {
    const pkexec = fakePkexec('pkexec-installed', 'authorize');
    // The old protocol (a plan with its steps) is not a request the helper takes at all.
    const plan = assignVfPlan();
    await expect(runViaHelper(runCommand, { verb: 'apply', plan } as never, { helperArgv: [pkexec.path, installedHelper] })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('malformed'),
    });
    expect(pkexec.helperExited()).toBe(true);
    const traversal: ChangeRequest = { intent: { kind: 'release', address: `${VF}/../..` }, digest: 'a'.repeat(64), confirmText: null };
    await expect(runViaHelper(runCommand, traversal, { helperArgv: [fakePkexec('pkexec-installed-2', 'authorize').path, installedHelper] })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });
});
