/**
 * The renderer's API is the contract and nothing more: one method per request channel and one
 * subscription per event, each sending on its own channel; failures cross as data and come
 * back as PassthruError. The type-level checks here are enforced by `npm run typecheck`
 * (vitest does not type-check).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApi, withRebuiltErrors, type PassthruApi, type Transport } from './api';
import { PassthruError, type PassthruErrorData } from './errors';
import { eventChannels, invokeChannels, type EventChannel, type InvokeChannel, type IpcResult, type RequestMethod, type SubscriptionMethod } from './ipc-contract';
import type { VmStatus } from './vm';
import type { Plan } from './plan';

const requestChannels = Object.keys(invokeChannels) as InvokeChannel[];
const events = Object.keys(eventChannels) as EventChannel[];

/** A transport that records what it is asked and answers with `answer`. */
function recordingTransport(answer: IpcResult<unknown> = { ok: true, value: 'answer' }) {
  const invoked: [InvokeChannel, unknown][] = [];
  const subscribed: EventChannel[] = [];
  const listeners = new Map<EventChannel, (payload: unknown) => void>();
  const transport: Transport = {
    invoke: async (channel, payload) => (invoked.push([channel, payload]), answer),
    subscribe: (event, listener) => {
      subscribed.push(event);
      listeners.set(event, listener as (payload: unknown) => void);
      return () => listeners.delete(event);
    },
  };
  return { transport, invoked, subscribed, listeners };
}

/** The API's methods without their channels' types, to call every one of them alike. */
const requestsOf = (api: PassthruApi) => api as unknown as Record<RequestMethod, (request?: unknown) => Promise<unknown>>;
const subscriptionsOf = (api: PassthruApi) => api as unknown as Record<SubscriptionMethod, (listener: (payload: unknown) => void) => () => void>;

const refusal: PassthruErrorData = { code: 'REFUSED', message: 'VM web runs already.', remedy: 'Stop it first.', detail: 'pid 42' };

describe('the API derived from the contract', () => {
  it('has one method per request channel and per event, all with different names', () => {
    const methods = [...requestChannels.map((c) => invokeChannels[c].method), ...events.map((e) => eventChannels[e].method)];
    expect(new Set(methods).size).toBe(methods.length);
    expect(Object.keys(createApi(recordingTransport().transport)).sort()).toEqual([...methods].sort());
  });

  it('is a plain object of functions, which is what contextBridge copies', () => {
    for (const api of [createApi(recordingTransport().transport), withRebuiltErrors(createApi(recordingTransport().transport))]) {
      expect(Object.getPrototypeOf(api)).toBe(Object.prototype);
      for (const value of Object.values(api)) expect(typeof value).toBe('function');
    }
  });

  it('sends each request method on its own channel, the payload object as it is', async () => {
    const { transport, invoked } = recordingTransport();
    const api = requestsOf(createApi(transport));
    for (const channel of requestChannels) {
      const payload = { marker: channel };
      expect(await api[invokeChannels[channel].method](payload)).toBe('answer');
      expect(invoked.pop()).toEqual([channel, payload]);
    }
  });

  it('sends an empty payload for a method called without one', async () => {
    const { transport, invoked } = recordingTransport();
    const api = createApi(transport);
    await api.scan();
    await api.planUndo();
    expect(invoked).toEqual([
      ['host:scan', {}],
      ['history:planUndo', {}],
    ]);
  });

  it('subscribes each event method to its own event, and hands back the unsubscribe', () => {
    const { transport, subscribed, listeners } = recordingTransport();
    const api = subscriptionsOf(createApi(transport));
    for (const event of events) {
      const unsubscribe = api[eventChannels[event].method](() => undefined);
      expect(subscribed.pop()).toBe(event);
      unsubscribe();
      expect(listeners.has(event)).toBe(false);
    }
  });

  it('rejects with plain error data across the transport, and withRebuiltErrors makes it a PassthruError again', async () => {
    const api = createApi(recordingTransport({ ok: false, error: refusal }).transport);
    const crossed = await api.vmStart({ name: 'web' }).catch((err: unknown) => err);
    expect(crossed).not.toBeInstanceOf(Error);
    expect(crossed).toEqual(refusal);

    for (const channel of requestChannels) {
      const rebuilt = await requestsOf(withRebuiltErrors(api))
        [invokeChannels[channel].method]({})
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(rebuilt, channel).toBeInstanceOf(PassthruError);
      expect(rebuilt).toMatchObject({ code: 'REFUSED', message: 'VM web runs already.', remedy: 'Stop it first.', detail: 'pid 42' });
    }
  });

  it('passes through withRebuiltErrors what is not error data, and every event', async () => {
    const bug = new TypeError('not data');
    const { transport, listeners } = recordingTransport();
    const raw = createApi(transport);
    const failing = { ...raw, history: async () => Promise.reject(bug) } as PassthruApi;
    await expect(withRebuiltErrors(failing).history()).rejects.toBe(bug);

    const seen: unknown[] = [];
    withRebuiltErrors(raw).onPlanProgress((progress) => seen.push(progress));
    listeners.get('plan:progress')!({ planId: 'p1', stepId: 's1', state: 'done', message: null });
    expect(seen).toEqual([{ planId: 'p1', stepId: 's1', state: 'done', message: null }]);
  });

  it('lets exactly the channels whose schema accepts {} be called without a payload', () => {
    type CallableWithoutPayload = { [M in RequestMethod]: PassthruApi[M] extends () => unknown ? M : never }[RequestMethod];
    const withoutPayload = ['scan', 'source', 'openSnapshot', 'useLiveHost', 'iommuStatus', 'vmList', 'history', 'planUndo', 'status'] as const;
    expectTypeOf<CallableWithoutPayload>().toEqualTypeOf<(typeof withoutPayload)[number]>();
    const acceptingEmpty = requestChannels.filter((c) => invokeChannels[c].request.safeParse({}).success).map((c) => invokeChannels[c].method);
    expect(acceptingEmpty.sort()).toEqual([...withoutPayload].sort());
  });

  it('types each method with its channel payload and result (npm run typecheck)', () => {
    expectTypeOf<keyof PassthruApi>().toEqualTypeOf<RequestMethod | SubscriptionMethod>();
    expectTypeOf<Parameters<PassthruApi['planUndo']>>().toEqualTypeOf<[request?: { journalId?: string | undefined }]>();
    expectTypeOf<ReturnType<PassthruApi['planChange']>>().toEqualTypeOf<Promise<Plan>>();
    expectTypeOf<Parameters<PassthruApi['vmStart']>>().toEqualTypeOf<[request: { name: string; paused?: boolean | undefined }]>();
    expectTypeOf<ReturnType<PassthruApi['vmStart']>>().toEqualTypeOf<Promise<VmStatus>>();

    // Never called: only the compiler reads these.
    const wrongPayloads = (api: PassthruApi) => [
      // @ts-expect-error the payload is one object, not positional arguments
      api.planUndo('2026-12-01'),
      // @ts-expect-error a field the channel's schema does not have
      api.vmStart({ name: 'web', pasued: true }),
      // @ts-expect-error a field of the wrong type
      api.vmStop({ name: 'web', timeoutSeconds: '30' }),
      // @ts-expect-error a required payload left out
      api.applyPlan(),
      // @ts-expect-error a listener for another event's payload
      api.onHostChanged((progress: { planId: string }) => progress),
    ];
    expect(typeof wrongPayloads).toBe('function');
  });
});
