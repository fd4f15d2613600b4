/**
 * The helper as an attacker meets it: whatever arrives on stdin, it acts only on the plan it
 * makes itself from the intent, and only when that is the plan whose digest it was sent and no
 * safety check refuses it. A hand-edited request never reaches the host.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeIntent, ChangeRequest } from '#shared/plan';
import { assignVfPlan, makeRig, type Rig } from '../testing/apply-test-support';
import { planDigest } from '../changes/plan-digest';
import { makeManagementNic, makeRootDiskController } from '../testing/host-roles';
import { HELPER_EXIT, type HelperLine } from './helper-protocol';
import { runHelper } from './run-helper';

const VF = '0000:01:10.0';
const SATA = '0000:00:1f.2';
const MGMT = 'enp1s0v0';

function deps(rig: Rig, lines: HelperLine[], env: NodeJS.ProcessEnv = {}) {
  return { root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer, env, emit: (l: HelperLine) => lines.push(l) };
}

const assign = (address: string, more: Partial<Extract<ChangeIntent, { kind: 'assign' }>> = {}): ChangeIntent => ({
  kind: 'assign',
  address,
  group: false,
  persist: false,
  force: false,
  ownerUid: null,
  ...more,
});

/** The request a caller that saw the plan for `intent` would send. */
async function honest(rig: Rig, intent: ChangeIntent, confirmText: string | null = null, callerUid: number | null = null): Promise<ChangeRequest> {
  return { intent, digest: planDigest(await rig.executor(callerUid).plan(intent)), confirmText };
}

async function send(rig: Rig, request: unknown, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; last: HelperLine | undefined }> {
  const lines: HelperLine[] = [];
  const code = await runHelper(typeof request === 'string' ? request : JSON.stringify(request), deps(rig, lines, env));
  return { code, last: lines.at(-1) };
}

/** A host whose VF carries the default route and whose SATA controller holds `/`. */
function hostWithRoles(): Rig {
  const rig = makeRig();
  makeManagementNic(rig.root, MGMT);
  makeRootDiskController(rig.root, SATA);
  return rig;
}

describe('runHelper', () => {
  it('applies the plan it makes itself, streaming progress and ending with the result', async () => {
    const rig = makeRig();
    const lines: HelperLine[] = [];
    const code = await runHelper(JSON.stringify(await honest(rig, assign(VF))), deps(rig, lines));
    expect(code).toBe(HELPER_EXIT.OK);
    expect(lines.filter((l) => l.type === 'progress').length).toBe(6);
    expect(lines.at(-1)).toMatchObject({ type: 'result', result: { ok: true } });
    expect(rig.kernel.driverOf(VF)).toBe('vfio-pci');
  });

  it('takes no steps: a plan (the old protocol) or any other shape is bad input, and nothing is touched', async () => {
    const rig = makeRig();
    const good = await honest(rig, assign(VF));
    for (const req of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ verb: 'shell', cmd: 'rm -rf /' }),
      JSON.stringify({ verb: 'apply', plan: assignVfPlan() }),
      JSON.stringify({ ...good, root: '/tmp' }),
      JSON.stringify({ ...good, steps: assignVfPlan().steps }),
      JSON.stringify({ ...good, intent: null }),
      JSON.stringify({ ...good, intent: { ...good.intent, kind: '__proto__' } }),
      JSON.stringify({ ...good, intent: { ...good.intent, kind: 'constructor' } }),
      '{"__proto__":{"intent":{"kind":"assign"}},"digest":"x","confirmText":null}',
      JSON.stringify({ ...good, intent: { ...good.intent, address: `${VF}/../..` } }),
      JSON.stringify({ ...good, intent: { ...good.intent, ownerUid: 1e23 } }),
      JSON.stringify({ ...good, digest: 'abc' }),
    ]) {
      const { code, last } = await send(rig, req);
      expect(code, req).toBe(HELPER_EXIT.BAD_REQUEST);
      expect(last, req).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
    }
    expect(rig.kernel.writes).toEqual([]);
  });

  it('refuses a request for the management NIC carrying the digest of a harmless plan, and one with the right digest but no confirmation', async () => {
    const rig = hostWithRoles();
    // A real request for an innocent device, edited to take the management NIC.
    const harmless = await honest(rig, assign('0000:00:04.0'));
    const edited = { ...harmless, intent: assign(VF) };
    expect(await send(rig, edited)).toMatchObject({
      code: HELPER_EXIT.REFUSED,
      last: { type: 'error', error: { code: 'REFUSED', message: expect.stringMatching(/not the one that was shown/) } },
    });
    // The digest of the management NIC's own (refused) plan does not make it pass.
    expect(await send(rig, await honest(rig, assign(VF)))).toMatchObject({ code: HELPER_EXIT.REFUSED, last: { error: { message: expect.stringMatching(/default route/) } } });
    // Nor does force without the typed interface name, or with another one.
    expect((await send(rig, await honest(rig, assign(VF, { force: true })))).code).toBe(HELPER_EXIT.REFUSED);
    expect((await send(rig, await honest(rig, assign(VF, { force: true }), 'eth0'))).code).toBe(HELPER_EXIT.REFUSED);
    expect(rig.kernel.writes).toEqual([]);
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
    // What the user typed, as the plan asked: that is the one way through.
    expect((await send(rig, await honest(rig, assign(VF, { force: true }), MGMT))).code).toBe(HELPER_EXIT.OK);
  });

  it('never takes the controller of the root filesystem, whatever the request says', async () => {
    const rig = hostWithRoles();
    for (const intent of [assign(SATA), assign(SATA, { force: true }), assign('0000:00:1f.3', { group: true, force: true })]) {
      for (const confirmText of [null, SATA, MGMT]) {
        const { code, last } = await send(rig, await honest(rig, intent, confirmText));
        expect(code).toBe(HELPER_EXIT.REFUSED);
        expect(last).toMatchObject({ error: { message: expect.stringMatching(/mounted filesystem/) } });
      }
    }
    expect(rig.kernel.writes).toEqual([]);
    expect(rig.kernel.driverOf(SATA)).toBe('ahci');
  });

  it('gives /dev/vfio/N and taps only to the user pkexec names', async () => {
    const rig = makeRig();
    const env = { PKEXEC_UID: '1000' };
    const forOther = await honest(rig, assign(VF, { ownerUid: 1001 }));
    expect(await send(rig, forOther, env)).toMatchObject({ code: HELPER_EXIT.REFUSED, last: { error: { message: expect.stringMatching(/user 1001 was asked by user 1000/) } } });
    const tap: ChangeIntent = { kind: 'vm-network', vm: 'web', create: [{ tap: 'ptweb0', bridge: 'br0' }], remove: [], uid: 1001 };
    expect((await send(rig, { intent: tap, digest: 'a'.repeat(64), confirmText: null }, env)).code).toBe(HELPER_EXIT.REFUSED);
    expect(await send(rig, await honest(rig, assign(VF)), { PKEXEC_UID: 'root' })).toMatchObject({ code: HELPER_EXIT.BAD_REQUEST });
    expect(rig.kernel.writes).toEqual([]);
    const own = await honest(rig, assign(VF, { ownerUid: 1000 }), null, 1000);
    expect((await send(rig, own, env)).code).toBe(HELPER_EXIT.OK);
  });

  it('exits FAILED with a rolled-back result when a step fails', async () => {
    const rig = makeRig();
    rig.kernel.failNext('/unbind', 'EBUSY');
    const { code, last } = await send(rig, await honest(rig, assign(VF)));
    expect(code).toBe(HELPER_EXIT.FAILED);
    expect(last).toMatchObject({ type: 'result', result: { ok: false, rolledBack: true, failedStep: `unbind-${VF}` } });
  });

  it('property: no request but the honest one ever writes, and none is an internal error', async () => {
    const rig = hostWithRoles();
    const intents: ChangeIntent[] = [
      assign(VF),
      assign(SATA, { force: true }),
      assign('0000:00:04.0', { persist: true }),
      { kind: 'release', address: '0000:01:10.2' },
      { kind: 'sriov', address: '0000:01:00.0', numVfs: 0, autoprobe: null, persist: null, force: true },
      { kind: 'undo', journalId: 'nope' },
    ];
    // Digests of the plans those intents really make (an undo of no entry has none).
    const digests = (
      await Promise.all(
        intents.map((i) =>
          rig
            .executor()
            .plan(i)
            .then(planDigest, () => null),
        ),
      )
    ).filter((d): d is string => d !== null);
    const field = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -2, max: 70000 }),
      fc.string({ maxLength: 24 }),
      fc.constantFrom(VF, SATA, MGMT, '__proto__', 'constructor', ...intents.map((i) => i.kind)),
    );
    const mutatedIntent = fc
      .tuple(fc.constantFrom(...intents), fc.constantFrom('kind', 'address', 'group', 'force', 'ownerUid', 'numVfs', 'journalId', 'extra'), field)
      .map(([i, key, value]) => ({ ...i, [key]: value }));
    const request = fc.record({
      intent: fc.oneof(mutatedIntent, fc.constantFrom(...intents), fc.anything()),
      digest: fc.oneof(fc.constantFrom(...digests), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.string()),
      confirmText: fc.oneof(fc.constant(null), fc.constantFrom(MGMT, SATA, 'eth0'), fc.string({ maxLength: 70 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(request, fc.anything()), async (req) => {
        const before = rig.kernel.writes.length;
        const { code, last } = await send(rig, req);
        expect(code).not.toBe(HELPER_EXIT.INTERNAL);
        if (code !== HELPER_EXIT.OK && code !== HELPER_EXIT.FAILED) {
          expect(rig.kernel.writes.length).toBe(before);
          expect(last?.type).toBe('error');
        }
        // Whatever passed, the host keeps its disk and its network.
        expect(rig.kernel.driverOf(SATA)).toBe('ahci');
        expect(rig.kernel.driverOf(VF)).toBe('igbvf');
      }),
      { numRuns: 150 },
    );
    expect(rig.kernel.driverOf(VF)).toBe('igbvf');
  });
});
