/**
 * Host text on screen (GUI side): every string the host sends the renderer — results, events,
 * errors — arrives with its control, C1 and bidi characters made visible; ids and addresses the
 * renderer sends back arrive unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApi, withRebuiltErrors, type Transport } from '#shared/api';
import { hasUnsafeControls } from '#shared/control-chars';
import { PassthruError } from '#shared/errors';
import type { EventChannel, IpcResult } from '#shared/ipc-contract';
import { hostileText } from '#shared/testing/text-arbitraries';
import { sampleAssignPlan, sampleHistory } from '../testing/sample-plans';
import { sampleScan } from '../testing/sample-scan';
import { visibleHostData, withVisibleHostData } from './visible-host-data';

/** Every string in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** A transport answering every channel with `value` (or failing with `error`), and emitting events on demand. */
function fakeTransport(value: unknown, error?: { code: 'REFUSED'; message: string; remedy: string; detail: string }) {
  const listeners = new Map<EventChannel, (p: unknown) => void>();
  const transport: Transport = {
    invoke: async () => (error ? { ok: false, error } : { ok: true, value }) as IpcResult<unknown>,
    subscribe: (event, listener) => {
      listeners.set(event, listener as (p: unknown) => void);
      return () => listeners.delete(event);
    },
  };
  return { transport, emit: (event: EventChannel, payload: unknown) => listeners.get(event)?.(payload) };
}

describe('host data reaches the views with control characters made visible', () => {
  it('in any result, event or error (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (evil) => {
        const scan = {
          ...sampleScan,
          source: { ...sampleScan.source, hostname: evil },
          interfaces: sampleScan.interfaces.map((i) => ({ ...i, name: `${i.name}${evil}` })),
          devices: sampleScan.devices.map((d) => ({ ...d, driver: evil })),
        };
        const { transport, emit } = fakeTransport(scan);
        const api = withVisibleHostData(createApi(transport));
        const got = await api.scan();
        for (const s of strings(got)) expect(hasUnsafeControls(s)).toBe(false);
        expect(got.devices.map((d) => d.address)).toEqual(sampleScan.devices.map((d) => d.address));

        const entries = sampleHistory.map((h) => ({ ...h, root: `/tmp/${evil}`, steps: h.steps.map((s) => ({ ...s, title: `${s.title}${evil}` })) }));
        const unreadable = [{ file: `/var/lib/passthru/journal/${evil}.json`, problem: evil }];
        const h = await withVisibleHostData(createApi(fakeTransport({ entries, unreadable }).transport)).history();
        for (const s of strings(h)) expect(hasUnsafeControls(s)).toBe(false);
        expect(h.entries.map((e) => e.journalId)).toEqual(sampleHistory.map((e) => e.journalId));

        const plan = sampleAssignPlan();
        const p = await withVisibleHostData(createApi(fakeTransport({ ...plan, steps: plan.steps.map((s) => ({ ...s, title: evil, verify: evil })) }).transport)).planChange({
          kind: 'assign',
          address: plan.target,
        });
        for (const s of strings(p)) expect(hasUnsafeControls(s)).toBe(false);
        expect(p.id).toBe(plan.id);

        let progress: unknown = null;
        api.onPlanProgress((x) => (progress = x));
        emit('plan:progress', { planId: plan.id, stepId: 'a', state: 'running', message: evil });
        for (const s of strings(progress)) expect(hasUnsafeControls(s)).toBe(false);

        const failing = withVisibleHostData(withRebuiltErrors(createApi(fakeTransport(null, { code: 'REFUSED', message: evil, remedy: evil, detail: evil }).transport)));
        const err = await failing.vmStart({ name: 'vm1' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PassthruError);
        for (const s of [(err as PassthruError).message, (err as PassthruError).remedy ?? '', (err as PassthruError).detail ?? '']) expect(hasUnsafeControls(s)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves text without such characters exactly as it is', () => {
    expect(visibleHostData(sampleScan)).toEqual(sampleScan);
    expect(visibleHostData({ title: 'ESC \u001b[2J here', n: 3, ok: true, none: null })).toEqual({ title: 'ESC \\u001b[2J here', n: 3, ok: true, none: null });
  });
});
