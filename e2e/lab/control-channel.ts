/**
 * The host end of the agent's control line: a unix socket server that qemu connects to as a
 * client (so the connection exists before the guest boots and no early message is lost),
 * carrying newline-delimited JSON. See guest/agent.cjs for the messages.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';

export interface AgentHello {
  t: 'hello';
  uptime: number;
  kernel: string;
}

export interface AgentExit {
  t: 'exit';
  id: number;
  code: number | null;
  signal: string | null;
  error: string | null;
}

export type AgentMessage = AgentHello | AgentExit | { t: 'pong'; id: number } | { t: 'log'; message: string };

export class ControlChannel extends EventEmitter<{ message: [AgentMessage]; closed: [] }> {
  private server: net.Server;
  private socket: net.Socket | null = null;
  private buffered = '';

  private constructor(server: net.Server) {
    super();
    this.server = server;
    server.on('connection', (s) => {
      if (this.socket) {
        s.destroy(); // only qemu connects, once
        return;
      }
      this.socket = s;
      s.setEncoding('utf8');
      s.on('data', (d: string) => this.onData(d));
      s.on('close', () => this.emit('closed'));
      s.on('error', () => undefined); // 'close' follows
    });
  }

  static listen(path: string): Promise<ControlChannel> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve(new ControlChannel(server));
      });
    });
  }

  private onData(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      // The guest tty keeps ONLCR, so lines end in \r\n.
      const line = this.buffered.slice(0, nl).replace(/\r$/, '').trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        this.emit('message', JSON.parse(line) as AgentMessage);
      } catch {
        /* line noise before the agent put the tty in raw mode */
      }
    }
  }

  send(msg: Record<string, unknown>): void {
    if (!this.socket || this.socket.destroyed) throw new Error('the lab guest is not connected');
    this.socket.write(`${JSON.stringify(msg)}\n`);
  }

  close(): void {
    this.socket?.destroy();
    this.server.close();
  }
}
