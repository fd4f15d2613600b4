/**
 * A small QMP client over qemu's unix socket: the greeting, capability negotiation, then
 * commands whose replies are matched by `id` (so an event arriving in between is never
 * mistaken for a reply) and asynchronous events. QMP frames messages as JSON objects
 * separated by CRLF/LF; the socket may deliver half a message or several in one chunk, so
 * input is buffered and cut at newlines. A QMP error reply becomes a {@link QmpError} with
 * qemu's class and description, so callers can explain it (qemu-errors.ts).
 */
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export class QmpError extends Error {
  /** qemu's error class, e.g. `GenericError`, `CommandNotFound`, `DeviceNotFound`. */
  readonly errorClass: string;
  readonly desc: string;
  readonly command: string;
  constructor(command: string, errorClass: string, desc: string) {
    super(`QMP ${command} failed: ${desc}`);
    this.name = 'QmpError';
    this.command = command;
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

/** The connection failed, closed, or a reply did not come in time. */
export class QmpConnectionError extends Error {
  readonly reason: 'connect' | 'closed' | 'timeout' | 'protocol';
  constructor(reason: QmpConnectionError['reason'], message: string) {
    super(message);
    this.name = 'QmpConnectionError';
    this.reason = reason;
  }
}

export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number } | null;
}

export interface QmpStatus {
  status: string;
  running: boolean;
}

export interface QmpPciDevice {
  bus: number;
  slot: number;
  function: number;
  class_info: { class: number; desc?: string };
  id: { vendor: number; device: number; subsystem?: number; 'subsystem-vendor'?: number };
  qdev_id: string;
  pci_bridge?: { bus: { number: number }; devices?: QmpPciDevice[] };
}

export interface QmpPciBus {
  bus: number;
  devices: QmpPciDevice[];
}

export interface QmpOptions {
  /** How long to wait for each reply (and for the connection and greeting); default 5 s. */
  timeoutMs?: number;
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class QmpClient {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private nextId = 1;
  private closedError: Error | null = null;
  private greetingWaiter: { resolve(v: Record<string, unknown>): void; reject(e: Error): void } | null = null;
  /** qemu's greeting (`{"QMP": {"version": …, "capabilities": …}}`). */
  greeting: Record<string, unknown> | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.fail(new QmpConnectionError('closed', 'The QMP connection closed.')));
    socket.on('error', (err) => this.fail(new QmpConnectionError('closed', `The QMP connection failed: ${err.message}`)));
  }

  /** Connects, reads the greeting and leaves capability negotiation mode. */
  static async connect(socketPath: string, options: QmpOptions = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ path: socketPath });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new QmpConnectionError('timeout', `No QMP connection on ${socketPath} within ${timeoutMs} ms.`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new QmpConnectionError('connect', `Cannot connect to the QMP socket ${socketPath}: ${err.message}`));
      });
    });
    const client = new QmpClient(socket, timeoutMs);
    try {
      await client.waitGreeting();
      await client.execute('qmp_capabilities');
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  private waitGreeting(): Promise<Record<string, unknown>> {
    if (this.greeting) return Promise.resolve(this.greeting);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpConnectionError('timeout', `qemu sent no QMP greeting within ${this.timeoutMs} ms.`)), this.timeoutMs);
      this.greetingWaiter = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Runs a command and resolves with its `return` value; a QMP error rejects with QmpError. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: QmpOptions = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `passthru-${this.nextId++}`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpConnectionError('timeout', `qemu did not answer ${command} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id })}\n`);
    });
  }

  /** Subscribes to asynchronous events (SHUTDOWN, STOP, RESUME, …); returns the unsubscriber. */
  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event named `name` (optionally matching `filter`), or rejects on timeout. */
  waitEvent(name: string, timeoutMs: number): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new QmpConnectionError('timeout', `No ${name} event within ${timeoutMs} ms.`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.event !== name) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  queryStatus(): Promise<QmpStatus> {
    return this.execute<QmpStatus>('query-status');
  }
  queryPci(): Promise<QmpPciBus[]> {
    return this.execute<QmpPciBus[]>('query-pci');
  }
  systemPowerdown(): Promise<void> {
    return this.execute('system_powerdown').then(() => undefined);
  }
  /** qemu exits right after answering; the connection then closes. */
  quit(): Promise<void> {
    return this.execute('quit').then(() => undefined);
  }
  stop(): Promise<void> {
    return this.execute('stop').then(() => undefined);
  }
  cont(): Promise<void> {
    return this.execute('cont').then(() => undefined);
  }

  close(): void {
    this.socket.destroy();
    this.fail(new QmpConnectionError('closed', 'The QMP connection was closed.'));
  }

  private onData(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.fail(new QmpConnectionError('protocol', `qemu sent something that is not JSON: ${line.slice(0, 200)}`));
      this.socket.destroy();
      return;
    }
    if ('QMP' in msg) {
      this.greeting = msg;
      this.greetingWaiter?.resolve(msg);
      this.greetingWaiter = null;
      return;
    }
    if (typeof msg.event === 'string') {
      const ts = msg.timestamp as QmpEvent['timestamp'] | undefined;
      const event: QmpEvent = { event: msg.event, data: (msg.data as Record<string, unknown>) ?? {}, timestamp: ts ?? null };
      for (const l of [...this.listeners]) l(event);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : null;
    const pending = id ? this.pending.get(id) : undefined;
    if (!pending || !id) return; // A reply to nobody (e.g. after a timeout): dropped.
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if ('error' in msg) {
      const e = (msg.error ?? {}) as { class?: string; desc?: string };
      pending.reject(new QmpError(pending.command, e.class ?? 'GenericError', e.desc ?? 'unknown error'));
    } else {
      pending.resolve(msg.return);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    this.greetingWaiter?.reject(err);
    this.greetingWaiter = null;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** Every function of every bus, bridges' secondary buses included, flattened. */
export function flattenPci(buses: QmpPciBus[]): QmpPciDevice[] {
  const out: QmpPciDevice[] = [];
  const walk = (devices: QmpPciDevice[]): void => {
    for (const d of devices) {
      out.push(d);
      if (d.pci_bridge?.devices) walk(d.pci_bridge.devices);
    }
  };
  for (const b of buses) walk(b.devices);
  return out;
}
