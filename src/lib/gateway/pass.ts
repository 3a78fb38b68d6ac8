import { clientHeaders, fetchOrigin, originRequest } from "./forward.ts";
import { cacheStatus } from "./policy.ts";
import type { GatewayRequest } from "./serve.ts";
import { type Counter, count } from "./stats.ts";

/** A 5xx (or an unreachable or slow origin) counts as an origin failure; a 4xx never does. */
export const failed = (status: number) => status >= 500;

/** Forwards without the cache. Origin errors become 502 / 504 problems. */
export async function pass(
  g: GatewayRequest,
  status: Parameters<typeof cacheStatus>[0],
  counter: Counter,
): Promise<Response> {
  count(g.route.name, counter);
  let response: Response;
  try {
    response = await fetchOrigin(
      originRequest({ request: g.request, url: g.url, route: g.route, clientIp: g.clientIp }),
      g.route,
    );
  } catch (error) {
    count(g.route.name, "originErrors");
    throw error;
  }
  if (failed(response.status)) count(g.route.name, "originErrors");
  const headers = clientHeaders(response.headers);
  headers.set(
    "cache-status",
    cacheStatus({ ...status, fwdStatus: response.status }, response.headers.get("cache-status")),
  );
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** An origin response handed to the client unstored, with its Cache-Status. */
export function passResponse(request: Request, response: Response, status: string): Response {
  const headers = clientHeaders(response.headers);
  headers.set("cache-status", status);
  const body = request.method === "HEAD" ? null : response.body;
  if (!body) response.body?.cancel().catch(() => {});
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
