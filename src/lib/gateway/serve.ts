import type { ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import type { GatewayRoute } from "./config.ts";
import { pass } from "./pass.ts";
import { requestDirectives } from "./policy.ts";
import { notCached, serveCached } from "./serve-cached.ts";

export interface GatewayRequest {
  request: Request;
  url: URL;
  route: GatewayRoute;
  redis: RedisClient;
  /** `{KEY_PREFIX}edgekit:` */
  prefix: string;
  now: () => number;
  clientIp: string | undefined;
  /** A cache lookup slower than this fails open to the origin (REDIS_TIMEOUT_MS). */
  redisTimeoutMs: number;
  waitUntil(promise: Promise<unknown>): void;
  /** The rate-limit check to fold into the lookup (undefined: already spent). */
  limit(): Promise<ScriptLimit | undefined>;
  /** Spends the rate limit separately (requests that do no lookup). */
  spend(): Promise<void>;
  /** Redis failed: make the rest of the request fail fast. */
  redisFailed(): void;
  /** The URL's own entry id (set by serveGateway). */
  baseId?: string;
}

/**
 * Serves one gateway request: forwarded as is (no caching, or not GET/HEAD), or through the
 * shared cache (RFC 9111): ONE lookup script (rate limit folded in), then a hit, a stale hit with
 * one background refresh, or a fill by the one caller holding the lease while the others wait.
 */
export async function serveGateway(g: GatewayRequest): Promise<Response> {
  const { route, request } = g;
  const options = route.cache;
  if (!options || (request.method !== "GET" && request.method !== "HEAD")) {
    await g.spend();
    return pass(g, { fwd: "bypass" }, "bypasses");
  }
  const directives = requestDirectives(request);
  // only-if-cached (RFC 9111 5.2.1.7): a stored response or a 504, never a request to the origin.
  const forward: typeof pass = (gr, status, counter) =>
    directives.onlyIfCached ? Promise.reject(notCached()) : pass(gr, status, counter);
  if (directives.noStore || directives.noCache) {
    await g.spend();
    const detail = directives.noStore ? "no-store" : directives.maxAge === 0 ? "max-age" : "no-cache";
    return forward(g, { fwd: "request", detail }, "bypasses");
  }
  return serveCached(g, options, directives, forward);
}
