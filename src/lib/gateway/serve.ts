import { hashId, type NamespaceKeys, namespaceKeys } from "../cache/keys.ts";
import { pollDelay, sleep } from "../cache/poll.ts";
import { MAX_LEASE_MS } from "../cache/purge.ts";
import { commitEntry, entryState, type Lookup, lookupEntry, releaseLease, type StoredEntry } from "../cache/store.ts";
import { AppError } from "../errors.ts";
import type { ScriptLimit } from "../ratelimit/limited-script.ts";
import { readUpTo } from "../read-up-to.ts";
import type { RedisClient } from "../redis.ts";
import { cacheKeyOf, entryTags } from "./cache-key.ts";
import type { GatewayRoute, RouteCache } from "./config.ts";
import { decodeBody, decodeMeta, encodeBody, encodeMeta, type StoredResponse } from "./entry.ts";
import { clientHeaders, fetchOrigin, originRequest, originTags } from "./forward.ts";
import { cacheStatus, requestDirectives, staleUse, storeDecision, varyNames, varyValues } from "./policy.ts";
import { currentAge, fromStore, mergeNotModified, storedHeader } from "./respond.ts";
import { type Counter, count } from "./stats.ts";

/** The gateway's cache namespace: one for every route, so a purge spans them. */
export const GATEWAY_NAMESPACE = "gw";

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

/** Vary names learned per URL, per isolate: a Vary'd URL costs a second lookup only when cold here. */
const varyMemo = new Map<string, string>();

/** A 5xx (or an unreachable or slow origin) counts as an origin failure; a 4xx never does. */
const failed = (status: number) => status >= 500;

const gatewayKeys = (prefix: string): NamespaceKeys => namespaceKeys(prefix, GATEWAY_NAMESPACE);

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
  const keys = gatewayKeys(g.prefix);
  const baseId = await hashId(`GET ${cacheKeyOf(g.url)}`);
  g.baseId = baseId;
  let names = varyMemo.get(baseId) ?? "";
  const authorized = request.headers.has("authorization");
  // Real time, not the app's clock: the wait is for another request's fill, measured here.
  const waitUntil = Date.now() + options.waitMs;
  const leaseMs = Math.min(route.timeoutMs + 2000, MAX_LEASE_MS);
  let limit = await g.limit();
  let firstSeen: number | undefined;
  let rekeys = 0;

  for (let attempt = 0; ; attempt++) {
    const id = names ? await hashId(`${baseId}\n${names}\n${varyValues(request, names)}`) : baseId;
    let lookup: Lookup;
    try {
      lookup = await withTimeout(
        lookupEntry(g.redis, keys, id, {
          now: g.now(),
          beta: options.beta,
          leaseMs,
          vary: names,
          ...(limit ? { limit } : {}),
        }),
        g.redisTimeoutMs,
      );
    } catch (error) {
      if (error instanceof AppError) throw error; // the folded rate limit refused (429)
      g.redisFailed();
      return forward(g, { fwd: "miss", detail: "cache-unavailable" }, "bypasses");
    }
    limit = undefined;
    if (lookup.rekey !== undefined) {
      names = lookup.rekey;
      remember(baseId, names);
      if (++rekeys > 2) return forward(g, { fwd: "vary-miss" }, "misses");
      continue;
    }
    const now = g.now();
    const entry = lookup.entry;
    const passing = passReason(entry);
    if (passing && entry && now < entry.freshUntil) {
      if (lookup.lead) await releaseLease(g.redis, keys, id, lookup.token, now).catch(() => false);
      return forward(g, { fwd: "miss", detail: passing }, "misses");
    }
    const meta = entry ? decodeMeta(entry.meta) : undefined;
    const state = meta ? entryState(entry, now) : "none";
    if (meta && authorized && !meta.shareable) {
      if (lookup.lead) await releaseLease(g.redis, keys, id, lookup.token, now).catch(() => false);
      return forward(g, { fwd: "bypass", detail: "authorization" }, "bypasses");
    }
    if (meta && entry && state === "fresh") {
      const tooOld = directives.maxAge !== undefined && currentAge(meta, now) > directives.maxAge;
      const tooClose = directives.minFresh !== undefined && (entry.freshUntil - now) / 1000 < directives.minFresh;
      if (tooOld || tooClose) {
        if (lookup.lead) await releaseLease(g.redis, keys, id, lookup.token, now).catch(() => false);
        return forward(g, { fwd: "request", detail: tooOld ? "max-age" : "min-fresh" }, "misses");
      }
    }
    // Stored (or revalidated) by another caller while this one waited: usable as it stands.
    const changed = attempt > 0 && meta !== undefined && meta.storedAt !== firstSeen;
    firstSeen ??= meta?.storedAt ?? 0;
    if (meta && entry && (state === "fresh" || (changed && !lookup.lead))) {
      if (lookup.lead) g.waitUntil(fill(g, options, lookup, entry, meta, true, authorized).catch(() => {}));
      count(route.name, "hits");
      return respond(g, meta, entry, now, {
        hit: true,
        ttl: (entry.freshUntil - now) / 1000,
        ...(attempt > 0 ? { collapsed: true } : {}),
      });
    }
    // Past its freshness: may it answer without the origin, by its own windows or the client's max-stale?
    const use =
      meta && entry && state !== "fresh"
        ? staleUse(directives, {
            cacheControl: storedHeader(meta, "cache-control"),
            age: currentAge(meta, now),
            staleness: (now - entry.freshUntil) / 1000,
            purged: entry.freshUntil === 0,
          })
        : false;
    if (meta && entry && state === "stale" && use) {
      if (lookup.lead) g.waitUntil(fill(g, options, lookup, entry, meta, true, authorized).catch(() => {}));
      count(route.name, "staleHits");
      return respond(g, meta, entry, now, {
        hit: true,
        ttl: (entry.freshUntil - now) / 1000,
        detail: "stale-while-revalidate",
      });
    }
    if (meta && entry && use === "max-stale") {
      // Served without revalidation, as the client allowed: the lease goes back for the next request.
      if (lookup.lead) g.waitUntil(releaseLease(g.redis, keys, id, lookup.token, now).catch(() => false));
      count(route.name, "staleHits");
      return respond(g, meta, entry, now, { hit: true, ttl: (entry.freshUntil - now) / 1000, detail: "max-stale" });
    }
    // Inside stale-if-error while the origin is failing (backoff) or another request refreshes.
    if (meta && entry && state === "stale-if-error" && !lookup.lead && (use || lookup.backoffUntil > now)) {
      count(route.name, "staleHits");
      return respond(g, meta, entry, now, {
        hit: true,
        ttl: (entry.freshUntil - now) / 1000,
        detail: "stale-if-error",
      });
    }
    if (lookup.lead && directives.onlyIfCached) {
      await releaseLease(g.redis, keys, id, lookup.token, now).catch(() => false);
      throw notCached();
    }
    if (lookup.lead) {
      const usable = meta && entry && state === "stale-if-error" ? { meta, entry } : undefined;
      const revalidate = meta && entry ? { meta, entry } : undefined;
      try {
        const filled = await fill(g, options, lookup, revalidate?.entry, revalidate?.meta, false, authorized);
        if (filled.failed && usable) {
          count(route.name, "staleHits");
          await filled.failed.body?.cancel().catch(() => {});
          return respond(g, usable.meta, usable.entry, g.now(), {
            fwd: "stale",
            fwdStatus: filled.failed.status,
            detail: "stale-if-error",
          });
        }
        return filled.response;
      } catch (error) {
        if (usable && error instanceof AppError && ["bad_gateway", "gateway_timeout"].includes(error.code)) {
          count(route.name, "staleHits");
          return respond(g, usable.meta, usable.entry, g.now(), { fwd: "stale", detail: "stale-if-error" });
        }
        throw error;
      }
    }
    if (lookup.backoffUntil > now) {
      throw new AppError("bad_gateway", "The origin is failing; it is not retried before the backoff ends.", {
        headers: { "retry-after": String(Math.max(1, Math.ceil((lookup.backoffUntil - now) / 1000))) },
      });
    }
    if (directives.onlyIfCached) throw notCached();
    if (Date.now() >= waitUntil) return forward(g, { fwd: "miss", detail: "wait-timeout" }, "misses");
    await sleep(pollDelay(lookup.leasePttl, waitUntil - Date.now()));
  }
}

const notCached = () => new AppError("gateway_timeout", "only-if-cached: no stored response to answer with.");

function remember(baseId: string, names: string): void {
  if (varyMemo.size >= 10_000) varyMemo.clear();
  if (names) varyMemo.set(baseId, names);
  else varyMemo.delete(baseId);
}

async function respond(
  g: GatewayRequest,
  meta: StoredResponse,
  entry: StoredEntry,
  now: number,
  status: Parameters<typeof cacheStatus>[0],
): Promise<Response> {
  const body = await decodeBody(entry.value, meta.gzip);
  return fromStore(g.request, meta, body, now, status);
}

/** Forwards without the cache. Origin errors become 502 / 504 problems. */
async function pass(g: GatewayRequest, status: Parameters<typeof cacheStatus>[0], counter: Counter): Promise<Response> {
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

interface Filled {
  response: Response;
  /** The origin failed with this response (the lease was given back with a backoff). */
  failed?: Response;
}

/**
 * The lease holder's fill: a GET to the origin (conditional when an entry with validators is
 * kept), then the commit under the lease. A 304 refreshes the metadata only.
 */
async function fill(
  g: GatewayRequest,
  options: RouteCache,
  lookup: Lookup,
  entry: StoredEntry | undefined,
  meta: StoredResponse | undefined,
  background: boolean,
  authorized: boolean,
): Promise<Filled> {
  const { route, redis } = g;
  const keys = gatewayKeys(g.prefix);
  const conditional = meta
    ? { etag: storedHeader(meta, "etag"), lastModified: storedHeader(meta, "last-modified") }
    : {};
  const giveBack = (backoff: number) =>
    releaseLease(redis, keys, lookup.id, lookup.token, g.now(), backoff).catch(() => false);
  const started = g.now();
  let response: Response;
  try {
    const request = originRequest({
      request: g.request,
      url: g.url,
      route,
      clientIp: g.clientIp,
      method: "GET",
      conditional,
      withoutBody: true,
    });
    response = await fetchOrigin(request, route);
  } catch (error) {
    count(route.name, "originErrors");
    await giveBack(error instanceof AppError && error.code === "payload_too_large" ? 0 : options.errorBackoffMs);
    throw error;
  }
  const arrived = g.now();
  const upstreamStatus = response.headers.get("cache-status");
  const status = (params: Parameters<typeof cacheStatus>[0]) => cacheStatus(params, upstreamStatus);
  if (failed(response.status)) {
    count(route.name, "originErrors");
    await giveBack(options.errorBackoffMs);
    return {
      response: passResponse(g.request, response, status({ fwd: "miss", fwdStatus: response.status })),
      failed: response,
    };
  }
  if (response.status === 304 && meta && entry) {
    const merged = mergeNotModified(meta.headers, response.headers);
    const decision = storeDecision(
      new Response(null, { status: meta.status, headers: merged }),
      options,
      authorized,
      arrived,
    );
    const body = await decodeBody(entry.value, meta.gzip);
    const refreshed: StoredResponse = { ...meta, headers: merged, storedAt: arrived, initialAge: decision.initialAge };
    let stored = false;
    if (decision.store) {
      const outcome = await commitEntry(
        redis,
        keys,
        lookup.id,
        lookup,
        {
          ...windows(decision, arrived, true),
          value: "",
          keepValue: true,
          meta: encodeMeta(refreshed),
          duration: arrived - started,
          vary: varyNames(merged.find(([name]) => name === "vary")?.[1] ?? null),
          tags: entry.tags,
          tagIds: await Promise.all(entryTags(g.url, entry.tags).map(hashId)),
        },
        arrived,
      ).catch(() => ({ stored: false }));
      stored = outcome.stored;
      count(route.name, stored ? "fills" : "fencedFills");
    } else {
      await giveBack(0);
    }
    return {
      response: fromStore(g.request, refreshed, body, arrived, {
        fwd: "stale",
        fwdStatus: 304,
        ...(stored ? { stored: true } : {}),
      }),
    };
  }
  const decision = storeDecision(response, options, authorized, arrived);
  const declared = Number.parseInt(response.headers.get("content-length") ?? "", 10);
  const reason = decision.store ? (declared > options.maxEntryBytes ? "too-large" : undefined) : decision.reason;
  if (reason) {
    await (reason === "authorization" ? giveBack(0) : markPass(g, lookup, reason, arrived));
    if (!background) count(route.name, "misses");
    return {
      response: passResponse(g.request, response, status({ fwd: "miss", fwdStatus: response.status, detail: reason })),
    };
  }
  const read = await readUpTo(response.body, options.maxEntryBytes);
  if (!read.body) {
    // Larger than the limit (the length was not declared): served from the same origin request.
    await giveBack(0);
    if (!background) count(route.name, "misses");
    const over = new Response(read.overflow, { status: response.status, headers: response.headers });
    return {
      response: passResponse(g.request, over, status({ fwd: "miss", fwdStatus: response.status, detail: "too-large" })),
    };
  }
  const body = read.body;
  const headers = clientHeaders(response.headers);
  headers.delete("cache-status");
  headers.delete("age");
  headers.delete("content-length");
  if (options.stripSetCookie) headers.delete("set-cookie");
  const tags = originTags(response.headers);
  const vary = varyNames(response.headers.get("vary"));
  const meta2: StoredResponse = {
    status: response.status,
    headers: [...headers],
    storedAt: arrived,
    initialAge: decision.initialAge,
    shareable: decision.shareable,
    gzip: body.byteLength > options.compressAbove,
  };
  // With Vary, the entry goes under the variant's id; the URL's own id keeps a marker.
  const baseId = g.baseId ?? lookup.id;
  const target = vary ? await hashId(`${baseId}\n${vary}\n${varyValues(g.request, vary)}`) : baseId;
  remember(baseId, vary);
  const outcome = await commitEntry(
    redis,
    keys,
    target,
    lookup,
    {
      ...windows(decision, arrived, headers.has("etag") || headers.has("last-modified")),
      value: await encodeBody(body, meta2.gzip),
      meta: encodeMeta(meta2),
      duration: arrived - started,
      vary,
      ...(vary ? { markerId: baseId } : {}),
      tags,
      tagIds: await Promise.all(entryTags(g.url, tags).map(hashId)),
    },
    arrived,
  ).catch(() => ({ stored: false as const, fenced: "lease" as const }));
  count(route.name, outcome.stored ? "fills" : "fencedFills");
  if (!background) count(route.name, "misses");
  // The client that caused the fill gets the origin's answer as it came (Set-Cookie included).
  const clientSide = clientHeaders(response.headers);
  clientSide.delete("content-length");
  clientSide.set(
    "cache-status",
    status({
      fwd: entry ? "stale" : "miss",
      fwdStatus: response.status,
      ...(outcome.stored ? { stored: true } : { detail: "fenced" }),
    }),
  );
  return {
    response: new Response(
      g.request.method === "HEAD" || [204, 304].includes(response.status) ? null : (body as BodyInit),
      {
        status: response.status,
        headers: clientSide,
      },
    ),
  };
}

/** How long a response found not storable sends its URL straight to the origin ("hit-for-pass"). */
export const PASS_MS = 30_000;

/**
 * Remembers that the URL's response cannot be stored, so that for PASS_MS its requests go
 * straight to the origin instead of queueing behind a lease one after another.
 */
async function markPass(g: GatewayRequest, lookup: Lookup, reason: string, now: number): Promise<void> {
  const keys = gatewayKeys(g.prefix);
  await commitEntry(
    g.redis,
    keys,
    lookup.id,
    lookup,
    {
      value: "",
      meta: JSON.stringify({ pass: reason }),
      freshUntil: now + PASS_MS,
      swrUntil: now + PASS_MS,
      sieUntil: now + PASS_MS,
      keptUntil: now + PASS_MS,
      duration: 0,
      tagIds: [await hashId(`u:${cacheKeyOf(g.url)}`)],
    },
    now,
  ).catch(() => undefined);
}

/** The pass marker's reason, when the entry is one. */
function passReason(entry: StoredEntry | undefined): string | undefined {
  if (!entry?.meta.startsWith('{"pass"')) return undefined;
  try {
    return String((JSON.parse(entry.meta) as { pass: unknown }).pass);
  } catch {
    return undefined;
  }
}

/** The commit's absolute windows from a decision (ms). Kept longer when it can be revalidated. */
function windows(decision: ReturnType<typeof storeDecision>, now: number, validators: boolean) {
  const freshUntil = now + Math.max(0, decision.lifetime - decision.initialAge * 1000);
  const swrUntil = freshUntil + decision.swr;
  const sieUntil = Math.max(swrUntil, freshUntil + decision.sie);
  // Kept past its windows for conditional revalidation: as long again as it was fresh, at least a minute.
  const keptUntil = validators ? Math.max(sieUntil, freshUntil + Math.max(60_000, decision.lifetime)) : sieUntil;
  return { freshUntil, swrUntil, sieUntil, keptUntil };
}

function passResponse(request: Request, response: Response, status: string): Response {
  const headers = clientHeaders(response.headers);
  headers.set("cache-status", status);
  const body = request.method === "HEAD" ? null : response.body;
  if (!body) response.body?.cancel().catch(() => {});
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException("cache lookup timed out", "TimeoutError")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer) clearTimeout(timer);
  });
}
