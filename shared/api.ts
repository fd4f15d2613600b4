/**
 * The narrow domain API the renderer sees as `window.passthru`. Built from a transport so
 * the preload (ipcRenderer) and the page in a browser (a WebSocket to `passthru serve`) expose
 * exactly the same object.
 * Its type and its methods come from the contract (ipc-contract.ts): one method per request
 * channel, taking the channel's payload as one object, and one subscription per event.
 */
import {
  eventChannels,
  invokeChannels,
  type EventChannel,
  type EventPayloads,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResult,
  type IpcResult,
  type RequestMethod,
  type SubscriptionMethod,
} from './ipc-contract';
import { PassthruError, type PassthruErrorData } from './errors';

export interface Transport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>>;
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** A payload with no required field may be left out: `api.scan()`, `api.planUndo()`. */
type RequestFunction<C extends InvokeChannel> =
  Record<never, never> extends InvokeRequest<C> ? (request?: InvokeRequest<C>) => Promise<InvokeResult<C>> : (request: InvokeRequest<C>) => Promise<InvokeResult<C>>;

export type PassthruApi = {
  [C in InvokeChannel as (typeof invokeChannels)[C]['method']]: RequestFunction<C>;
} & {
  [E in EventChannel as (typeof eventChannels)[E]['method']]: (listener: (payload: EventPayloads[E]) => void) => () => void;
};

/** A method of the API seen without its channel's types, by code that treats every method alike. */
type AnyRequest = (request?: unknown) => Promise<unknown>;
type AnySubscription = (listener: (payload: unknown) => void) => () => void;

/** How to make each method of an API object. */
interface MethodMakers {
  request(channel: InvokeChannel, method: RequestMethod): AnyRequest;
  subscription(event: EventChannel, method: SubscriptionMethod): AnySubscription;
}

/**
 * One method per entry of the contract, on a plain object: contextBridge copies the functions
 * of a plain object, and nothing of a Proxy or a class instance.
 */
function assembleApi(make: MethodMakers): PassthruApi {
  const api: Record<string, AnyRequest | AnySubscription> = {};
  for (const channel of Object.keys(invokeChannels) as InvokeChannel[]) {
    const { method } = invokeChannels[channel];
    api[method] = make.request(channel, method);
  }
  for (const event of Object.keys(eventChannels) as EventChannel[]) {
    const { method } = eventChannels[event];
    api[method] = make.subscription(event, method);
  }
  // PassthruApi is mapped from the same two maps, so the keys match (api.test.ts checks them).
  return api as unknown as PassthruApi;
}

/** How a wrapper changes each kind of method; `wrapApi` applies it to every method of the contract. */
export interface MethodWrappers {
  request(call: AnyRequest, channel: InvokeChannel): AnyRequest;
  subscription(subscribe: AnySubscription, event: EventChannel): AnySubscription;
}

/** `api` with every request and every subscription passed through `wrap`. */
export function wrapApi(api: PassthruApi, wrap: MethodWrappers): PassthruApi {
  const requests = api as unknown as Record<RequestMethod, AnyRequest>;
  const subscriptions = api as unknown as Record<SubscriptionMethod, AnySubscription>;
  return assembleApi({
    request: (channel, method) => wrap.request((request) => requests[method](request), channel),
    subscription: (event, method) => wrap.subscription((listener) => subscriptions[method](listener), event),
  });
}

/**
 * The API as exposed across the context bridge. Failures reject with plain
 * `PassthruErrorData`, because contextBridge strips custom properties (code, remedy) from
 * Error objects; the renderer rebuilds real errors with `withRebuiltErrors`.
 */
export function createApi(transport: Transport): PassthruApi {
  return assembleApi({
    request: (channel) => async (request) => {
      const result = await transport.invoke(channel, request ?? {});
      if (!result.ok) throw result.error;
      return result.value;
    },
    subscription: (event) => (listener) => transport.subscribe(event, listener),
  });
}

export function isErrorData(value: unknown): value is PassthruErrorData {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** Wraps the bridged API so its rejections are PassthruError instances again (errors as data, rebuilt here). */
export function withRebuiltErrors(api: PassthruApi): PassthruApi {
  const rebuild = (err: unknown): never => {
    throw isErrorData(err) ? PassthruError.fromData(err) : err;
  };
  return wrapApi(api, {
    request: (call) => (request) => call(request).catch(rebuild),
    subscription: (subscribe) => subscribe,
  });
}
