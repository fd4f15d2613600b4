import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, QmpConnectionError, QmpError, flattenPci } from './qmp-client';

type Handler = (msg: { execute: string; id?: string; arguments?: unknown }, sock: Socket) => void;

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}}\r\n';

let dir = '';
let server: Server | null = null;

/** A fake qemu: greets, then hands each command line to `handler`; `write` chooses the framing. */
async function fakeQemu(handler: Handler, write: (sock: Socket, text: string) => void = (s, t) => s.write(t)): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'qmp-test-'));
  const path = join(dir, 'qmp.sock');
  server = createServer((sock) => {
    write(sock, GREETING);
    let buf = '';
    sock.on('data', (c) => {
      buf += c.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { execute: string; id?: string };
        if (msg.execute === 'qmp_capabilities') write(sock, `{"return": {}, "id": ${JSON.stringify(msg.id)}}\r\n`);
        else handler(msg, sock);
      }
    });
  });
  await new Promise<void>((r) => server!.listen(path, r));
  return path;
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

const reply = (id: string | undefined, ret: unknown): string => `${JSON.stringify({ return: ret, id })}\r\n`;

describe('QmpClient', () => {
  it('negotiates capabilities and matches replies by id', async () => {
    const path = await fakeQemu((m, s) => {
      if (m.execute === 'query-status') s.write(reply(m.id, { status: 'prelaunch', singlestep: false, running: false }));
    });
    const qmp = await QmpClient.connect(path);
    expect(qmp.greeting).toHaveProperty('QMP');
    await expect(qmp.queryStatus()).resolves.toMatchObject({ status: 'prelaunch', running: false });
    qmp.close();
  });

  it('reassembles messages split across chunks, byte by byte', async () => {
    const path = await fakeQemu(
      (m, s) => {
        const text = `{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}\r\n${reply(m.id, { status: 'paused', running: false })}`;
        for (const ch of text) s.write(ch);
      },
      (s, t) => {
        for (const ch of t) s.write(ch);
      },
    );
    const qmp = await QmpClient.connect(path);
    const events: string[] = [];
    qmp.onEvent((e) => events.push(e.event));
    await expect(qmp.queryStatus()).resolves.toMatchObject({ status: 'paused' });
    expect(events).toEqual(['STOP']);
    qmp.close();
  });

  it('handles several messages in one chunk, out of order, with events between', async () => {
    const pending: { id?: string; execute: string }[] = [];
    const path = await fakeQemu((m, s) => {
      pending.push(m);
      if (pending.length === 2) {
        const [a, b] = pending;
        s.write(`${reply(b!.id, 'second')}{"event": "RESUME", "data": {}, "timestamp": {"seconds": 1, "microseconds": 0}}\r\n${reply(a!.id, 'first')}`);
      }
    });
    const qmp = await QmpClient.connect(path);
    const resumed = qmp.waitEvent('RESUME', 2000);
    const [one, two] = await Promise.all([qmp.execute('a'), qmp.execute('b')]);
    expect([one, two]).toEqual(['first', 'second']);
    await expect(resumed).resolves.toMatchObject({ event: 'RESUME' });
    qmp.close();
  });

  it('turns error replies into QmpError with class and desc', async () => {
    const path = await fakeQemu((m, s) => s.write(`${JSON.stringify({ error: { class: 'CommandNotFound', desc: 'The command nope has not been found' }, id: m.id })}\n`));
    const qmp = await QmpClient.connect(path);
    const err = await qmp.execute('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ errorClass: 'CommandNotFound', desc: 'The command nope has not been found', command: 'nope' });
    qmp.close();
  });

  it('times out a command qemu never answers, and fails pending commands on close', async () => {
    const path = await fakeQemu((m, s) => {
      if (m.execute === 'quit') s.end();
    });
    const qmp = await QmpClient.connect(path, { timeoutMs: 300 });
    await expect(qmp.execute('query-pci')).rejects.toMatchObject({ reason: 'timeout' });
    await expect(qmp.quit()).rejects.toBeInstanceOf(QmpConnectionError);
    await expect(qmp.cont()).rejects.toMatchObject({ reason: 'closed' });
  });

  it('fails cleanly when nothing listens', async () => {
    await expect(QmpClient.connect('/nonexistent/qmp.sock')).rejects.toMatchObject({ reason: 'connect' });
  });

  it('flattens bridges in query-pci', () => {
    const leaf = { bus: 1, slot: 0, function: 0, class_info: { class: 512 }, id: { vendor: 0x8086, device: 0x10ca }, qdev_id: 'nic0' };
    const bridge = {
      bus: 0,
      slot: 2,
      function: 0,
      class_info: { class: 1540 },
      id: { vendor: 0x1b36, device: 0xc },
      qdev_id: '',
      pci_bridge: { bus: { number: 1 }, devices: [leaf] },
    };
    expect(flattenPci([{ bus: 0, devices: [bridge] }]).map((d) => d.qdev_id)).toEqual(['', 'nic0']);
  });
});
