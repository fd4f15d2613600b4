/**
 * The pkexec helper against a real kernel, as an attacker would use it: forged requests — a
 * real plan for the igb PF edited to take the management NIC, the same with every check set
 * to "pass", an intent for the management NIC or for the controller of the root filesystem
 * carrying another plan's digest, or their own digest without the typed confirmation, and
 * forged journal entries whose undo would unbind them. Each is refused; the devices keep their
 * drivers and the default route stays. Verdicts come from sysfs and `ip`, read with plain
 * commands in the guest. LAB_SCENARIOS=seed limits the run.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChangeIntent, ChangeRequest, Plan } from '#shared/plan';
import { planDigest } from '../../electron/host/changes/plan-digest';
import { kernelState, runCli, type KernelDeviceState } from './checks/device-state';
import { runs, useLab } from './checks/use-lab';
import type { LabHandle } from './boot';
import { repoRoot } from './initramfs';

const PF = '0000:01:00.0';
const MGMT = '0000:02:00.0';
/** virtio-9p: the transport of the guest's root filesystem (the overlay's lower layer). */
const ROOT_9P = '0000:00:10.0';
const JOURNAL = '/var/lib/passthru/journal';

const assign = (address: string, more: Partial<Extract<ChangeIntent, { kind: 'assign' }>> = {}): ChangeIntent => ({
  kind: 'assign',
  address,
  group: false,
  persist: false,
  force: false,
  ownerUid: null,
  ...more,
});

/** Runs the built helper as pkexec would for user 1000: the request on stdin, as root. */
async function helper(lab: LabHandle, request: unknown): Promise<{ code: number; last: { type: string; error?: { code: string; message: string } } | null }> {
  const r = await lab.run([process.execPath, path.join(repoRoot(), 'dist', 'helper', 'passthru-helper.cjs')], {
    stdin: typeof request === 'string' ? request : JSON.stringify(request),
    env: { PKEXEC_UID: '1000' },
  });
  const lines = r.stdout.split('\n').filter(Boolean);
  return { code: r.code, last: lines.length ? JSON.parse(lines.at(-1)!) : null };
}

/** The plan the guest's CLI shows for `args` (a dry run), as the GUI would have shown it. */
async function shownPlan(lab: LabHandle, ...args: string[]): Promise<Plan> {
  const r = await runCli(lab, ...args, '--dry-run', '--json');
  expect(r.code, r.stderr).toBe(0);
  return r.json as Plan;
}

describe.runIf(runs('seed'))('the pkexec helper refuses forged requests (seed host)', () => {
  const lab = useLab('seed', 'helper-trust');
  let before: Record<string, KernelDeviceState>;
  let route = '';

  const defaultRoute = async (): Promise<string> => (await lab().runOk(['ip', '-4', 'route', 'show', 'default'])).stdout.trim();
  const unchanged = async (): Promise<void> => {
    expect(await kernelState(lab())).toEqual(before);
    expect(await defaultRoute()).toBe(route);
  };

  beforeAll(async () => {
    before = await kernelState(lab());
    route = await defaultRoute();
  });

  it('starts with the management NIC on e1000e carrying the default route, and / on virtio-9p', async () => {
    expect(before[MGMT]?.driver).toBe('e1000e');
    expect(before[ROOT_9P]?.driver).toMatch(/virtio/);
    const mgmtIf = (await lab().runOk(['ls', `/sys/bus/pci/devices/${MGMT}/net`])).stdout.trim();
    expect(route).toContain(`dev ${mgmtIf}`);
  });

  it('a real plan for the PF edited to take the management NIC, every check "pass": not a request at all', async () => {
    const plan = await shownPlan(lab(), 'assign', PF);
    const edited = JSON.parse(JSON.stringify(plan).replaceAll(PF, MGMT).replaceAll('"igb"', '"e1000e"')) as Plan;
    edited.checks = edited.checks.map((c) => ({ ...c, status: 'pass' }));
    for (const forged of [
      { verb: 'apply', plan: edited },
      { intent: assign(MGMT), digest: planDigest(edited), confirmText: null, plan: edited },
    ]) {
      const r = await helper(lab(), forged);
      expect(r.code).toBe(2);
      expect(r.last?.error?.code).toBe('BAD_INPUT');
    }
    await unchanged();
  });

  it('the management NIC with the digest of the PF plan, or of its own refused plan, or forced without its name: refused', async () => {
    const pfPlan = await shownPlan(lab(), 'assign', PF);
    const requests: ChangeRequest[] = [
      { intent: assign(MGMT), digest: planDigest(pfPlan), confirmText: null },
      { intent: assign(MGMT), digest: planDigest(await shownPlan(lab(), 'assign', MGMT)), confirmText: null },
      { intent: assign(MGMT, { force: true }), digest: planDigest(await shownPlan(lab(), 'assign', MGMT, '--force')), confirmText: 'eth0' },
      { intent: assign(MGMT, { group: true }), digest: planDigest(pfPlan), confirmText: null },
    ];
    for (const request of requests) {
      const r = await helper(lab(), request);
      expect(r.code, JSON.stringify(r.last)).toBe(3);
      expect(r.last?.error?.code).toBe('REFUSED');
    }
    await unchanged();
  });

  it('the controller of the root filesystem: refused whatever the request says', async () => {
    const own = await shownPlan(lab(), 'assign', ROOT_9P, '--force');
    expect(own.refusal).toMatchObject({ forceable: false });
    for (const [request, why] of [
      [{ intent: assign(ROOT_9P, { force: true }), digest: planDigest(own), confirmText: ROOT_9P }, /mounted at/],
      [{ intent: assign(ROOT_9P), digest: planDigest(await shownPlan(lab(), 'assign', PF)), confirmText: null }, /not the one that was shown/],
    ] as const) {
      const r = await helper(lab(), request);
      expect(r.code).toBe(3);
      expect(r.last?.error?.message).toMatch(why);
    }
    await unchanged();
  });

  it('forged journal entries whose undo would unbind the management NIC or the root filesystem: the undo is refused, its preview says what it would do', async () => {
    const forged = (journalId: string, address: string, driver: string) =>
      JSON.stringify({
        version: 2,
        journalId,
        root: '/',
        kind: 'vf-config',
        target: PF,
        devices: [PF],
        original: {},
        state: 'applied',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:01.000Z',
        reverses: null,
        steps: [
          {
            id: 'vf0-mac',
            op: { verb: 'set-vf', address: PF, vf: 0, settings: { mac: '02:00:00:00:00:01' } },
            undo: { verb: 'unbind', address, driver },
            state: 'done',
            error: null,
          },
        ],
      });
    await lab().runOk(['mkdir', '-p', JOURNAL]);
    for (const [id, address, driver] of [
      ['forged-mgmt', MGMT, 'e1000e'],
      ['forged-root', ROOT_9P, before[ROOT_9P]!.driver!],
    ] as const) {
      await lab().runOk(['sh', '-c', `cat > ${JOURNAL}/${id}.json`], { stdin: forged(id, address, driver) });
      const preview = await shownPlan(lab(), 'undo', '--journal', id);
      expect(preview.steps.map((s) => s.shell.join(' '))).toEqual([`echo ${address} > /sys/bus/pci/drivers/${driver}/unbind`]);
      expect(preview.refusal).not.toBeNull();
      const r = await helper(lab(), { intent: { kind: 'undo', journalId: id }, digest: planDigest(preview), confirmText: null });
      expect(r.code, JSON.stringify(r.last)).toBe(3);
      const cli = await runCli(lab(), 'undo', '--journal', id, '--yes', '--json');
      expect(cli.code).toBe(3);
      await lab().runOk(['rm', '-f', `${JOURNAL}/${id}.json`]);
    }
    await unchanged();
  });

  it('a broken journal file is listed as unreadable and does not stop history or a real change', async () => {
    await lab().runOk(['sh', '-c', `mkdir -p ${JOURNAL} && printf '{"version": 2, "journ' > ${JOURNAL}/torn.json`]);
    const h = await runCli(lab(), 'history', '--json');
    expect(h.code).toBe(0);
    expect((h.json as { unreadable: { file: string }[] }).unreadable.map((u) => u.file)).toContain(`${JOURNAL}/torn.json`);
    const pfPlan = await shownPlan(lab(), 'assign', PF);
    const r = await helper(lab(), { intent: assign(PF), digest: planDigest(pfPlan), confirmText: null });
    expect(r.code, JSON.stringify(r.last)).toBe(0);
    expect((await kernelState(lab()))[PF]?.driver).toBe('vfio-pci');
    const back = await runCli(lab(), 'undo', '--yes', '--json');
    expect(back.code, back.stderr).toBe(0);
    await lab().runOk(['rm', '-f', `${JOURNAL}/torn.json`]);
    await unchanged();
  });
});
