import net from 'node:net';

/**
 * A TCP proxy in front of a real server, so a test can make Redis or Postgres
 * "go away" for a while without stopping the server other test files share:
 * `cut()` drops every connection and refuses new ones, `restore()` lets them in.
 */
export interface TcpProxy {
  /** The upstream URL with host and port replaced by the proxy's. */
  url: string;
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function createTcpProxy(upstreamUrl: string): Promise<TcpProxy> {
  const upstream = new URL(upstreamUrl);
  const upstreamPort = Number(
    upstream.port || (upstream.protocol.startsWith('redis') ? 6379 : 5432),
  );
  const sockets = new Set<net.Socket>();
  let open = true;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const server = net.connect(upstreamPort, upstream.hostname);
    track(server);
    client.pipe(server).pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(upstreamUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    port,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
