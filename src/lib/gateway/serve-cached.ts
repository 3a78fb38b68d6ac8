import { hashId } from "../cache/keys.ts";
import { pollDelay, sleep } from "../cache/poll.ts";
import { MAX_LEASE_MS } from "../cache/purge.ts";
import { entryState, type Lookup, lookupEntry, releaseLease } from "../cache/store.ts";
import { AppError } from "../errors.ts";
import { cacheKeyOf } from "./cache-key.ts";
import type { RouteCache } from "./config.ts";
import { decodeMeta } from "./entry.ts";
import { fill } from "./fill.ts";
import { gatewayKeys } from "./namespace.ts";
import type { pass } from "./pass.ts";
import { passReason } from "./pass-marker.ts";
import { type RequestDirectives, staleUse, varyValues } from "./policy.ts";
import { currentAge, respond, storedHeader } from "./respond.ts";
import type { GatewayRequest } from "./serve.ts";
import { count } from "./stats.ts";
import { remember, varyMemo } from "./vary-memo.ts";

/**
 * The cached path of serveGateway: looks up (again after a Vary rekey or while another request
 * fills), then answers fresh, stale or from the lease holder's fill; `forward` goes to the origin
 * uncached (it refuses under only-if-cached).
 */
export async function serveCached(
  g: GatewayRequest,
  options: RouteCache,
  directives: RequestDirectives,
  forward: typeof pass,
): Promise<Response> {
  const { route, request } = g;
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

export const notCached = () => new AppError("gateway_timeout", "only-if-cached: no stored response to answer with.");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException("cache lookup timed out", "TimeoutError")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer) clearTimeout(timer);
  });
}
