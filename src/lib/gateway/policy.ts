import type { RouteCache } from "./config.ts";

/**
 * RFC 9111 as a shared cache, compactly: parsing Cache-Control, deciding whether a response may
 * be stored, and for how long it is fresh, stale-while-revalidate and stale-if-error (RFC 5861).
 * (Why not the http-cache-semantics package: see docs/cache.md, "Why not a library".)
 */
export type Directives = Map<string, string | true>;

/** Cache-Control as a map of lowercase directive -> value (or true). Unknown ones are kept. */
export function parseCacheControl(header: string | null): Directives {
  const directives: Directives = new Map();
  if (!header) return directives;
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    const raw =
      eq === -1
        ? true
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, "");
    // The first occurrence wins (RFC 9111 4.2.1 says invalid duplicates make it stale; be strict below).
    if (!directives.has(name)) directives.set(name, raw);
  }
  return directives;
}

/** A delta-seconds directive (`max-age=60`), or undefined when absent or not a number. */
export function seconds(directives: Directives, name: string): number | undefined {
  const value = directives.get(name);
  if (typeof value !== "string" || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), 2 ** 31);
}

/** Status codes defined as heuristically cacheable (RFC 9110 15.1), minus 206 (no range support). */
export const HEURISTIC = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);
/** Statuses this cache understands well enough to store with explicit freshness. */
const UNDERSTOOD = new Set([...HEURISTIC, 302, 303, 307, 400, 403, 500, 502, 503, 504]);

export interface StoreDecision {
  store: boolean;
  /** Why not, for Cache-Status `detail`. */
  reason?: string;
  /** Freshness lifetime, stale-while-revalidate and stale-if-error windows (ms). */
  lifetime: number;
  swr: number;
  sie: number;
  /** Shared caches may answer requests with Authorization from it (public, s-maxage, must-revalidate). */
  shareable: boolean;
  /** The Age the origin (or an upstream cache) already gave it (s). */
  initialAge: number;
}

/**
 * May this response be stored, and with which windows? `now` is the time the response arrived.
 * `authorized`: the request carried Authorization (RFC 9111 3.5).
 */
export function storeDecision(
  response: Response,
  options: RouteCache,
  authorized: boolean,
  now: number,
): StoreDecision {
  const cc = parseCacheControl(response.headers.get("cache-control"));
  const initialAge = Math.max(0, Number.parseInt(response.headers.get("age") ?? "0", 10) || 0);
  const shareable = cc.has("public") || cc.has("s-maxage") || cc.has("must-revalidate");
  const none = (reason: string): StoreDecision => ({
    store: false,
    reason,
    lifetime: 0,
    swr: 0,
    sie: 0,
    shareable,
    initialAge,
  });
  if (cc.has("no-store")) return none("no-store");
  if (cc.has("private")) return none("private");
  if (authorized && !shareable) return none("authorization");
  if (response.headers.get("vary")?.trim() === "*" || /(^|,)\s*\*\s*(,|$)/.test(response.headers.get("vary") ?? ""))
    return none("vary-star");
  if (response.headers.has("set-cookie") && !options.stripSetCookie) return none("set-cookie");
  if (!UNDERSTOOD.has(response.status)) return none("status");

  const sMaxAge = seconds(cc, "s-maxage");
  const maxAge = seconds(cc, "max-age");
  let lifetime: number | undefined = sMaxAge ?? maxAge;
  if (lifetime === undefined && response.headers.has("expires")) {
    const expires = Date.parse(response.headers.get("expires") ?? "");
    const date = Date.parse(response.headers.get("date") ?? "") || now;
    // An invalid Expires (e.g. "0") means already expired (RFC 9111 5.3).
    lifetime = Number.isNaN(expires) ? 0 : Math.max(0, Math.floor((expires - date) / 1000));
  }
  const explicit = lifetime !== undefined;
  if (!explicit) {
    // Heuristic freshness only where allowed: no explicit expiry, and a heuristically cacheable
    // status or `public` (RFC 9111 4.2.2). The route's defaultTtl is the operator's heuristic.
    if (!HEURISTIC.has(response.status) && !cc.has("public")) return none("no-freshness");
    if (options.defaultTtl !== undefined) lifetime = options.defaultTtl;
    else {
      const modified = Date.parse(response.headers.get("last-modified") ?? "");
      const date = Date.parse(response.headers.get("date") ?? "") || now;
      // 10% of the time since the last modification, at most a day (a common choice, 4.2.2).
      lifetime = Number.isNaN(modified) ? 0 : Math.min(86_400, Math.max(0, Math.floor((date - modified) / 10_000)));
    }
  }
  if (cc.has("no-cache")) lifetime = 0; // stored, but validated before every use
  lifetime = Math.min(lifetime ?? 0, options.maxTtl);
  const hasValidator = response.headers.has("etag") || response.headers.has("last-modified");
  // Nothing to serve from and nothing to revalidate with: not worth storing.
  const noStale = !servableStale(cc);
  const swr = noStale ? 0 : (seconds(cc, "stale-while-revalidate") ?? 0);
  const sie = noStale ? 0 : (seconds(cc, "stale-if-error") ?? 0);
  if (lifetime - initialAge <= 0 && swr === 0 && sie === 0 && !hasValidator) return none("no-freshness");
  return { store: true, lifetime: lifetime * 1000, swr: swr * 1000, sie: sie * 1000, shareable, initialAge };
}

/**
 * May a shared cache serve this stored response stale at all (RFC 9111 4.2.4)? Not with
 * `must-revalidate`, `proxy-revalidate`, `s-maxage` (which implies proxy-revalidate for a shared
 * cache, 5.2.2.10) or `no-cache` (validated before every use).
 */
export function servableStale(cc: Directives): boolean {
  return !(cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage") || cc.has("no-cache"));
}

/** What the client's own Cache-Control asks of a shared cache (RFC 9111 5.2.1). */
export interface RequestDirectives {
  /** no-store: neither use nor store. */
  noStore: boolean;
  /** no-cache, or max-age=0: do not answer from the cache without going to the origin. */
  noCache: boolean;
  /** max-age=N: only a response at most N s old (and, without max-stale, not stale). */
  maxAge?: number;
  /** min-fresh=N: only a response fresh for at least N more s (so never a stale one). */
  minFresh?: number;
  /** max-stale (Infinity: any staleness) or max-stale=N: a response stale by at most N s will do. */
  maxStale?: number;
  onlyIfCached: boolean;
}

export function requestDirectives(request: Request): RequestDirectives {
  const cc = parseCacheControl(request.headers.get("cache-control"));
  const maxAge = seconds(cc, "max-age");
  const minFresh = seconds(cc, "min-fresh");
  const maxStale = cc.get("max-stale") === true ? Number.POSITIVE_INFINITY : seconds(cc, "max-stale");
  return {
    noStore: cc.has("no-store"),
    // HTTP/1.0's `Pragma: no-cache` when there is no Cache-Control (RFC 9111 5.4).
    noCache:
      cc.has("no-cache") || maxAge === 0 || (cc.size === 0 && /no-cache/i.test(request.headers.get("pragma") ?? "")),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(minFresh !== undefined ? { minFresh } : {}),
    ...(maxStale !== undefined ? { maxStale } : {}),
    onlyIfCached: cc.has("only-if-cached"),
  };
}

/** A stored response past its freshness, as `staleUse` weighs it. */
export interface StaleCandidate {
  /** The stored response's Cache-Control. */
  cacheControl: string | null | undefined;
  /** Its Age and how far past its freshness lifetime it is (s). */
  age: number;
  staleness: number;
  /** Soft-purged: served inside its own windows only, never on max-stale. */
  purged: boolean;
}

/**
 * How a stale stored response may answer this request without the origin being asked first:
 * - "max-stale": the request's max-stale covers it (RFC 9111 5.2.1.2) and the response allows stale;
 * - "windows": only inside the response's own stale-while-revalidate / stale-if-error windows;
 * - false: the client wants it validated first (min-fresh, max-age without max-stale, or a
 *   max-stale=N it is beyond). An origin failure may still serve it inside stale-if-error.
 */
export function staleUse(request: RequestDirectives, stored: StaleCandidate): "max-stale" | "windows" | false {
  if (request.minFresh !== undefined) return false;
  if (request.maxAge !== undefined && stored.age > request.maxAge) return false;
  if (request.maxStale !== undefined) {
    if (stored.staleness > request.maxStale) return false;
    if (!stored.purged && servableStale(parseCacheControl(stored.cacheControl ?? null))) return "max-stale";
  }
  // max-age alone: "the client does not wish to receive a stale response" (5.2.1.1).
  return request.maxAge !== undefined ? false : "windows";
}

/** Vary's header names: lowercase, deduplicated, sorted, joined by ","; "" for none. */
export function varyNames(vary: string | null): string {
  if (!vary) return "";
  const names = new Set(
    vary
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  return [...names].sort().join(",");
}

/**
 * The request's values for the Vary names, normalized (RFC 9111 4.1: whitespace and case where
 * the field is case-insensitive, list order kept): one string to hash into the variant's key.
 */
export function varyValues(request: Request, names: string): string {
  if (names === "") return "";
  return names
    .split(",")
    .map((name) => {
      const value = request.headers.get(name);
      if (value === null) return `${name}:`;
      let normalized = value
        .split(",")
        .map((item) =>
          item
            .trim()
            .replace(/\s*;\s*/g, ";")
            .replace(/\s+/g, " "),
        )
        .filter(Boolean)
        .join(",");
      if (/^accept/.test(name)) normalized = normalized.toLowerCase();
      return `${name}:${normalized}`;
    })
    .join("\n");
}

/** RFC 9211 Cache-Status member for this cache, appended after any from upstream caches. */
export function cacheStatus(
  params: {
    hit?: boolean;
    fwd?: string;
    fwdStatus?: number;
    ttl?: number;
    stored?: boolean;
    collapsed?: boolean;
    detail?: string;
  },
  upstream?: string | null,
): string {
  const parts = ["edgekit"];
  if (params.hit) parts.push("hit");
  if (params.fwd) parts.push(`fwd=${params.fwd}`);
  if (params.fwdStatus !== undefined) parts.push(`fwd-status=${params.fwdStatus}`);
  if (params.ttl !== undefined) parts.push(`ttl=${Math.round(params.ttl)}`);
  if (params.stored) parts.push("stored");
  if (params.collapsed) parts.push("collapsed");
  if (params.detail) parts.push(`detail=${params.detail}`);
  const own = parts.join("; ");
  return upstream ? `${upstream}, ${own}` : own;
}
