import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** 1 KiB of body, as a small cached page would be. */
const BODY = "x".repeat(1024);

/**
 * The gateway benchmark's origin: a Node HTTP server answering at once, so the gateway's rows
 * measure the gateway. Paths (the last segment decides):
 * - .../hit    cacheable for an hour (a cached hit after the first request);
 * - .../miss   cacheable with `Vary: X-Bench-N`, and the bench sends a new value each time (a
 *               miss and its fill: the load generator can vary headers, not paths);
 * - .../stale  stale at once, stale-while-revalidate for a day (a stale hit, one refresh at a time);
 * - anything else: 200, no caching headers (the direct-fetch baseline).
 */
export async function startOrigin(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://origin").pathname;
    const cacheControl =
      path.endsWith("/hit") || path.endsWith("/miss")
        ? "max-age=3600"
        : path.endsWith("/stale")
          ? "max-age=0, stale-while-revalidate=86400"
          : "no-store";
    const vary = path.endsWith("/miss") ? { vary: "X-Bench-N" } : {};
    res.writeHead(200, {
      "content-type": "text/plain",
      "cache-control": cacheControl,
      "content-length": BODY.length,
      ...vary,
    });
    res.end(BODY);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GATEWAY_ROUTES for the bench Worker: one cached route in front of the origin. */
export const gatewayRoutes = (origin: string) =>
  JSON.stringify([{ path: "/__gw/*", origin, cache: true, name: "bench" }]);
