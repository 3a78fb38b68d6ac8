import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import {
  CacheBackoffError,
  CacheEntryTooLargeError,
  type CacheOutcome,
  cachedWithOutcome,
} from "../lib/cache/index.ts";
import { AppError } from "../lib/errors.ts";
import { cacheKeyOf } from "../lib/gateway/cache-key.ts";
import { decodeBody, encodeBody } from "../lib/gateway/entry.ts";
import { cacheStatus, HEURISTIC, parseCacheControl } from "../lib/gateway/policy.ts";
import { asRedisUnavailable } from "../lib/redis.ts";
import { toHttpException } from "./problems.ts";
import { type PerRequest, type RedisSource, resolve, resolveRedis } from "./redis.ts";

export interface CacheOptions {
  redis: RedisSource;
  /** Fresh for this long, in seconds. */
  ttl: number;
  /** After `ttl`, served stale for this long while one request refreshes it (s, default 0). */
  staleWhileRevalidate?: number;
  /** After `ttl`, served stale for this long when the handler answers 5xx or throws (s, default 0). */
  staleIfError?: number;
  /** Tags for `invalidateTag()`; the handler may push more onto `c.get("cacheTags")`. */
  tags?: PerRequest<string[]>;
  /** The entry's key (default: host, path and query sorted by name, as edgekit's gateway keys). */
  key?: (c: Context) => string | Promise<string>;
  /** Request headers whose values get entries of their own (sent back in `Vary`). */
  varyBy?: readonly string[];
  /** Statuses stored (default RFC 9110's heuristically cacheable: 200 203 204 300 301 308 404 405 410 414 501). */
  statuses?: readonly number[];
  /**
   * A response with Set-Cookie: "bypass" (default) sends it as it is and stores nothing; "strip"
   * stores it without its Set-Cookie (the request that filled still gets its cookie).
   */
  setCookie?: "bypass" | "strip";
  /** How long a request waits for another's fill before running the handler itself, uncached (s, default 5). */
  wait?: number;
  /** After a 5xx, no request runs the handler for this long; with nothing stale they get 503 (s, default 0: off). */
  errorBackoff?: number;
  /** The same `namespace` and `prefix` `invalidateTag()` takes (defaults "default" and "edgekit:"). */
  namespace?: string;
  prefix?: string;
  /** Largest entry stored (bytes of its JSON, the body in base64; default 1 MiB): a larger answer is sent, not stored. */
  maxBytes?: number;
}

/** What `cache()` adds to a request: tags the handler may push to (`c.get("cacheTags")?.push("product:7")`). */
export interface CacheVariables {
  cacheTags?: string[];
}

/** A response as stored: status, headers, base64 body, when it was stored (ms). */
interface Stored {
  status: number;
  headers: [string, string][];
  body: string;
  storedAt: number;
}

/** A 5xx (or a thrown error): a failure for stale-if-error and the error backoff. */
class HandlerFailed extends Error {
  override readonly name = "HandlerFailed";
  constructor(readonly status: number) {
    super(`The handler answered ${status}.`);
  }
}

/** Never stored: hop-by-hop, this cache's own, and the framing Workers recomputes. */
const UNSTORED = new Set(["age", "cache-status", "connection", "content-length", "keep-alive", "transfer-encoding"]);

/**
 * Caches the downstream GET / HEAD handler's answer in Redis through `cached()`: ONE round trip
 * for a hit, and one handler run worldwide per miss (every concurrent request waits for that
 * fill instead of running the handler too). Stale-while-revalidate, stale-if-error and tag purges
 * as `cached()` has them; `Cache-Status` and `Age` as edgekit's gateway sends them. Responses with
 * Set-Cookie, `Cache-Control: no-store` or `private`, or a status outside `statuses` are sent,
 * never stored. Redis unreachable: the handler runs, uncached.
 *
 * A Hono handler runs inside its request, so a stale entry is refreshed by the one request that
 * wins the fill lease, which waits for the handler and gets the fresh answer; every other request
 * meanwhile gets the stale copy at once.
 *
 * @example
 * app.get("/products/:id", cache({ redis: redisFromEnv(), ttl: 60, staleWhileRevalidate: 300, tags: ["products"] }), handler);
 * // later: await invalidateTag(redis(c), "products");
 */
export function cache(options: CacheOptions) {
  const statuses = new Set(options.statuses ?? HEURISTIC);
  const varyBy = (options.varyBy ?? []).map((name) => name.toLowerCase());
  const seconds = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new TypeError(`cache(): ${name} must be a number of seconds >= 0`);
    return value === undefined ? undefined : value * 1000;
  };
  const ttlMs = seconds("ttl", options.ttl) ?? 0;
  const timing = {
    ttl: ttlMs,
    staleWhileRevalidate: seconds("staleWhileRevalidate", options.staleWhileRevalidate),
    staleIfError: seconds("staleIfError", options.staleIfError),
    waitMs: seconds("wait", options.wait) ?? 5_000,
    errorBackoffMs: seconds("errorBackoff", options.errorBackoff) ?? 0,
  };
  const keyOf = options.key ?? ((c: Context) => cacheKeyOf(new URL(c.req.url)));

  return createMiddleware<{ Variables: CacheVariables }>(async function cache(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const varied = varyBy.map((name) => `\n${name}:${c.req.header(name) ?? ""}`).join("");
    const key = `${await keyOf(c)}${varied}`;
    let ran: { status: number; detail?: string } | undefined;
    let refresh: Promise<unknown> | undefined;

    const fetcher = async (fetch: { tags: string[] }): Promise<Stored | undefined> => {
      c.set("cacheTags", fetch.tags);
      await next();
      const res = c.res;
      ran = { status: res.status };
      if (c.error || res.status >= 500) throw new HandlerFailed(res.status);
      const detail = unstorable(res, statuses, options.setCookie ?? "bypass");
      if (detail) {
        ran.detail = detail;
        return undefined;
      }
      const body = new Uint8Array(await res.clone().arrayBuffer());
      const headers = [...res.headers].filter(([name]) => !UNSTORED.has(name) && name !== "set-cookie");
      return { status: res.status, headers, body: await encodeBody(body, false), storedAt: Date.now() };
    };

    let outcome: CacheOutcome;
    let value: Stored | undefined;
    try {
      ({ value, outcome } = await cachedWithOutcome(resolveRedis(c, options.redis), key, fetcher, {
        ...timing,
        tags: options.tags ? resolve(c, options.tags) : [],
        namespace: options.namespace,
        prefix: options.prefix,
        maxBytes: options.maxBytes,
        beta: 0, // no early refresh: a refresh makes its request wait for the handler
        isFailure: (error) => error instanceof HandlerFailed,
        waitUntil: (promise) => {
          refresh = promise;
        },
      }));
    } catch (error) {
      if (error instanceof CacheBackoffError) {
        const retry = Math.max(1, Math.ceil((error.retryAt - Date.now()) / 1000));
        throw toHttpException(
          new AppError("bad_gateway", "This page failed moments ago; it is not run again before the backoff ends.", {
            headers: { "retry-after": String(retry), "cache-status": cacheStatus({ detail: "backoff" }) },
          }),
        );
      }
      // The handler's own answer (a 5xx, a body over maxBytes), or Redis failing: sent uncached.
      const detail =
        error instanceof HandlerFailed
          ? undefined
          : error instanceof CacheEntryTooLargeError
            ? "too-large"
            : asRedisUnavailable(error)
              ? "cache-unavailable"
              : undefined;
      if (!(error instanceof HandlerFailed) && detail === undefined) throw error;
      if (!ran) await next();
      label(c, { fwd: "miss", fwdStatus: c.res.status, detail });
      return;
    }

    if (refresh) {
      // This request won a stale entry's lease: its handler is running; wait for it and the commit.
      await refresh;
      if (ran && ran.status < 500) {
        label(c, { fwd: "stale", fwdStatus: ran.status, ...(ran.detail ? { detail: ran.detail } : { stored: true }) });
        return;
      }
    }
    if (ran && (outcome === "miss" || outcome === "uncached")) {
      const detail = outcome === "uncached" ? "wait-timeout" : ran.detail;
      label(c, { fwd: "miss", fwdStatus: ran.status, ...(detail ? { detail } : { stored: true }) });
      return;
    }
    if (!value) {
      // Another request's fill stored nothing (not storable): run the handler here.
      if (!ran) await next();
      label(c, { fwd: "miss", fwdStatus: c.res.status, detail: "uncacheable" });
      return;
    }
    const now = Date.now();
    const ttl = (value.storedAt + ttlMs - now) / 1000;
    // `ran` here is a failed refresh: the stale copy stands in for its 5xx.
    const status = ran
      ? { fwd: "stale", fwdStatus: ran.status, detail: "stale-if-error" }
      : outcome === "stale-if-error" || outcome === "stale"
        ? { hit: true, ttl, detail: outcome === "stale" ? "stale-while-revalidate" : "stale-if-error" }
        : { hit: true, ttl, ...(outcome === "wait-hit" ? { collapsed: true } : {}) };
    const headers = new Headers(value.headers);
    headers.set("age", String(Math.max(0, Math.floor((now - value.storedAt) / 1000))));
    headers.set("cache-status", cacheStatus(status));
    if (varyBy.length > 0) headers.set("vary", mergeVary(headers.get("vary"), varyBy));
    const empty = c.req.method === "HEAD" || [204, 304].includes(value.status);
    const body = empty ? null : ((await decodeBody(value.body, false)) as BodyInit);
    const response = new Response(body, { status: value.status, headers });
    if (ran) {
      c.res = undefined; // drop the failed answer's headers, which Hono would merge in
      c.res = response;
      return;
    }
    return response;
  });

  function label(c: Context, status: Parameters<typeof cacheStatus>[0]): void {
    const set = (res: Response) => {
      res.headers.set("cache-status", cacheStatus(status));
      if (varyBy.length > 0) res.headers.set("vary", mergeVary(res.headers.get("vary"), varyBy));
    };
    try {
      set(c.res);
    } catch {
      c.res = new Response(c.res.body, c.res); // immutable headers (a fetched response)
      set(c.res);
    }
  }
}

/** Why a handler's answer is not stored, or undefined when it is. */
function unstorable(res: Response, statuses: Set<number>, setCookie: "bypass" | "strip"): string | undefined {
  if (!statuses.has(res.status)) return "status";
  if (setCookie === "bypass" && res.headers.has("set-cookie")) return "set-cookie";
  const control = parseCacheControl(res.headers.get("cache-control"));
  if (control.has("no-store") || control.has("private")) return "no-store";
  return undefined;
}

function mergeVary(current: string | null, names: readonly string[]): string {
  const all = new Set((current ?? "").split(",").map((name) => name.trim().toLowerCase()));
  all.delete("");
  for (const name of names) all.add(name);
  return [...all].join(", ");
}
