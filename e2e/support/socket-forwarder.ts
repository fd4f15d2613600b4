/**
 * What `ssh -L PORT:SOCKET` does, on this machine: a TCP listener on 127.0.0.1 whose every
 * connection is piped to a unix socket (a `passthru serve --listen unix:…` the browser cannot
 * reach otherwise, e.g. one running in a network namespace). Returns the page's address.
 */
import net from 'node:net';

export interface Forwarder {
  server: net.Server;
  /** The served URL with its port replaced by the forwarder's. */
  url: string;
}

export async function forwardToUnixSocket(socket: string, servedUrl: string): Promise<Forwarder> {
  const server = net.createServer((c) => {
    const upstream = net.connect(socket);
    c.pipe(upstream).pipe(c);
    c.on('error', () => upstream.destroy());
    upstream.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(servedUrl);
  url.port = String((server.address() as net.AddressInfo).port);
  return { server, url: url.href };
}
