/** Wire format of the test bridge's WebSocket: requests carry an id, results echo it. */
import type { EventChannel, EventPayloads, IpcResult } from '../../shared/ipc-contract';

export interface BridgeRequest {
  id: number;
  channel: string;
  payload: unknown;
}

export type BridgeMessage =
  | { type: 'result'; id: number; result: IpcResult<unknown> }
  | { type: 'event'; event: EventChannel; payload: EventPayloads[EventChannel] };
