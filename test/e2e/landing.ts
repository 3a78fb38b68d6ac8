import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the site a short link points to (there is no internet here): a real server on
 * loopback, named `landing.example`, which the browser resolves to 127.0.0.1 (browser.ts), because
 * the links primitive refuses loopback hosts as targets.
 */
export async function startLanding(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Landed</title><h1>Landed on ${req.url}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://landing.example:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the browser's keep-alive sockets would hold it open
      }),
  };
}
