import { connect, createServer, type Server, type Socket } from "node:net";

export interface DelayForwarder {
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP forwarder that holds every chunk for `delayMs` in each direction, so each HTTP round trip
 * to what it fronts (the proxy) costs 2 × `delayMs` more: a nearby Upstash region seen from a
 * Worker, by default 5 ms each way. Chunks keep their order (timers of one delay fire in order).
 */
export function startDelayForwarder(target: { host: string; port: number }, delayMs: number): Promise<DelayForwarder> {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    from.on("end", () => setTimeout(() => to.end(), delayMs));
    from.on("error", () => to.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("close", () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
