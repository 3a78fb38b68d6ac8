import { z } from "zod";
import { jsonVariable } from "../json-variable.ts";
import { POLICY_NAMES, type PolicyName } from "../ratelimit/policies.ts";

const MIB = 1024 * 1024;
const seconds = (max: number) => z.number().int().min(0).max(max);

const cacheSchema = z.strictObject({
  /** Freshness (s) when the origin gives none (no s-maxage, max-age, Expires); else heuristics. */
  defaultTtl: seconds(31_536_000).optional(),
  /** No stored response is fresh for longer than this (s). */
  maxTtl: seconds(31_536_000).default(86_400),
  /** Store responses carrying Set-Cookie, without it; without this opt-in they are never stored. */
  stripSetCookie: z.boolean().default(false),
  /** Largest body stored (bytes, before compression); larger ones are served, not stored. */
  maxEntryBytes: z
    .number()
    .int()
    .min(1)
    .max(8 * MIB)
    .default(MIB),
  /** Bodies larger than this are stored gzipped (bytes). */
  compressAbove: z.number().int().min(0).default(1024),
  /** How long a request waits for another's fill before fetching itself (ms). */
  waitMs: z.number().int().min(0).max(60_000).default(5000),
  /** While the origin fails, at most one attempt per key per this window (ms). */
  errorBackoffMs: z.number().int().min(0).max(600_000).default(5000),
  /** XFetch eagerness (0 = no early refresh). */
  beta: z.number().min(0).max(10).default(1),
});

// Path characters only (RFC 3986 pchar and "/"), optionally ending in "*": no "|" (stats), no spaces.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*\*?$|^\*$/;
const HOST = /^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/;

const routeSchema = z.strictObject({
  /** Exact ("/about"), or a prefix ending in "*" ("/shop/*" matches /shop and everything below). */
  path: z.string().max(256).regex(PATH, 'a path such as "/shop/*" or "/about" (pchar only)'),
  /** Only requests for this host ("shop.example.com", "*.example.com"); such routes go first. */
  host: z
    .string()
    .max(253)
    .regex(HOST, 'a host such as "shop.example.com" or "*.example.com"')
    .transform((host) => host.toLowerCase())
    .optional(),
  origin: z
    .url({ protocol: /^https?$/, error: "an http(s) URL" })
    .refine((url) => {
      const parsed = new URL(url);
      return parsed.username === "" && parsed.password === "" && parsed.search === "" && parsed.hash === "";
    }, "an http(s) URL without credentials, query or fragment")
    .transform((url) => url.replace(/\/+$/, "")),
  /** Shown in stats and the dashboard (default: host + path). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9\-._~:/*]{1,100}$/, "1-100 of A-Z a-z 0-9 - . _ ~ : / *")
    .optional(),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Largest request body forwarded (bytes); larger ones get a 413. */
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(100 * MIB)
    .default(MIB),
  rateLimit: z.enum(POLICY_NAMES as [PolicyName, ...PolicyName[]]).default("gateway" as PolicyName),
  /** Caching for GET and HEAD: true for the defaults, or options; off when absent. */
  cache: z
    .union([z.boolean(), cacheSchema])
    .optional()
    .transform((value) => (value === true ? cacheSchema.parse({}) : value || undefined)),
});

export type GatewayRoute = z.output<typeof routeSchema> & { name: string };
export type RouteCache = z.output<typeof cacheSchema>;

const routesSchema = z.preprocess(
  // An empty variable is `{}` for jsonVariable: no routes.
  (raw) => (raw !== null && typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 0 ? [] : raw),
  z.array(routeSchema).max(100),
);

/**
 * GATEWAY_ROUTES: a JSON array of routes, each a path (and optional host) and the origin its
 * requests go to. A bad value is a 503 config-invalid naming the field, e.g.
 * `GATEWAY_ROUTES.0.origin: an http(s) URL`.
 *
 * @example GATEWAY_ROUTES='[{"path":"/shop/*","origin":"https://origin.example.com","cache":true}]'
 */
export const gatewayRoutesSchema = jsonVariable("GATEWAY_ROUTES", routesSchema).transform((routes) =>
  routes
    .map((route): GatewayRoute => ({ ...route, name: route.name ?? `${route.host ?? ""}${route.path}` }))
    // Host-matched routes first: they take precedence over edgekit's own routes too.
    .sort((a, b) => Number(b.host !== undefined) - Number(a.host !== undefined)),
);

/** The first route for a host and path, or undefined. `ownRoute`: edgekit answers the path itself. */
export function matchRoute(
  routes: readonly GatewayRoute[],
  host: string,
  path: string,
  ownRoute: boolean,
): GatewayRoute | undefined {
  const bare = host.toLowerCase();
  for (const route of routes) {
    if (route.host !== undefined) {
      if (!hostMatches(route.host, bare)) continue;
    } else if (ownRoute) {
      continue;
    }
    if (pathMatches(route.path, path)) return route;
  }
  return undefined;
}

function hostMatches(pattern: string, host: string): boolean {
  const withPort = pattern.includes(":");
  const candidate = withPort ? host : host.replace(/:\d+$/, "");
  if (pattern.startsWith("*.")) return candidate.endsWith(pattern.slice(1)) && candidate.length > pattern.length - 1;
  return candidate === pattern;
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.endsWith("*")) return path === pattern;
  const base = pattern.slice(0, -1);
  // "/shop/*" also matches "/shop" itself.
  return path.startsWith(base) || (base.endsWith("/") && path === base.slice(0, -1));
}
