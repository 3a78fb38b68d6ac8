import type { PolicyName } from "./policies.ts";

/**
 * How a route's request is counted:
 * - "before": the middleware checks (and spends one unit) before the route runs. One extra round
 *   trip, no side effect for a blocked request.
 * - "route": the route spends itself, after validation, through `c.var.rateLimit`: either
 *   `spend(n)` (a cost known only from the body, e.g. one unit per link of a bulk) or by folding
 *   the check into its own Lua script (`limitedScript`), so a hot path costs no extra round trip.
 *   If the route ends without spending (a 422, a 404 before its script ran), the middleware spends
 *   one unit afterwards, so invalid requests are never free.
 * - "local": counted in this isolate only (local-limit.ts), no Redis: for routes whose own answer
 *   costs no round trip (warm flag evaluation), where a Redis check would cost more than the route.
 */
export type SpendMode = "before" | "route" | "local";

export interface RouteRule {
  policy: PolicyName;
  spend: SpendMode;
}

/**
 * Per-route policies, keyed by method and route pattern as declared with `createRoute` (OpenAPI
 * `{param}` syntax). Any route not listed gets the default policy, counted before it runs.
 */
export const ROUTE_RULES: Record<string, RouteRule> = {
  // Folded into the redirect script (routes/links/redirect.ts): one round trip, no click when refused.
  "GET /{slug}": { policy: "redirect", spend: "route" },
  // Password attempts on a protected link: strict, against guessing.
  "POST /{slug}": { policy: "unlock-link", spend: "before" },
  // Folded into count-view.lua (routes/views.ts): one round trip, no view counted when refused.
  "POST /api/views/{page}": { policy: "count-view", spend: "route" },
  "POST /api/views": { policy: "count-view", spend: "route" },
  // Folded into create-links.lua and read-link.lua (routes/links/api.ts): one round trip each.
  "POST /api/links": { policy: "create-link", spend: "route" },
  "GET /api/links/{slug}": { policy: "default", spend: "route" },
  // Served from the in-isolate flag cache: zero round trips, so the limit is counted in-isolate too.
  "POST /ofrep/v1/evaluate/flags": { policy: "evaluate-flags", spend: "local" },
  "POST /ofrep/v1/evaluate/flags/{key}": { policy: "evaluate-flags", spend: "local" },
  "POST /api/links/bulk": { policy: "bulk-create-links", spend: "route" },
  // The dashboard's bulk form spends the same quota, one unit per row (routes/admin/links.tsx).
  "POST /admin/bulk-links": { policy: "bulk-create-links", spend: "route" },
  // Counted per user id and per forwarded end-user address (routes/sessions.ts), not as "admin":
  // every call carries the backend's admin token, and one user must not lock the others out.
  "POST /api/sessions": { policy: "create-session", spend: "route" },
  // The dashboard's sign-in takes the admin token: strict, against guessing.
  "POST /admin/login": { policy: "admin-login", spend: "before" },
  // Folded into convert.lua (routes/experiments.ts): one round trip, nothing counted when refused.
  "POST /api/experiments/{key}/conversions": { policy: "conversions", spend: "route" },
  // Folded into the session scripts (routes/sessions.ts): a session-reading request is one round trip.
  "GET /api/sessions/current": { policy: "default", spend: "route" },
  "PATCH /api/sessions/current": { policy: "default", spend: "route" },
  "POST /api/sessions/current/rotate": { policy: "default", spend: "route" },
  "DELETE /api/sessions/current": { policy: "default", spend: "route" },
  // Folded into assign.lua (routes/experiments.ts): one round trip, nothing assigned when refused.
  "POST /api/experiments/{key}/assignment": { policy: "default", spend: "route" },
  // Folded into submit-score.lua and read-board.lua (routes/leaderboards.ts): one round trip each.
  "POST /api/leaderboards/{board}/scores": { policy: "leaderboard-submit", spend: "route" },
  "GET /api/leaderboards/{board}": { policy: "default", spend: "route" },
  "GET /api/leaderboards/{board}/around/{member}": { policy: "default", spend: "route" },
  "POST /api/leaderboards/{board}/ranks": { policy: "default", spend: "route" },
  // Folded into hit.lua and read-trending.lua (routes/trending.ts).
  "POST /api/trending/{list}/hits": { policy: "trending-hit", spend: "route" },
  "GET /api/trending/{list}": { policy: "default", spend: "route" },
  // Folded into nearby.lua and upsert-places.lua (routes/places.ts): one round trip each.
  "GET /api/places/{set}/nearby": { policy: "places-nearby", spend: "route" },
  "PUT /api/places/{set}/{id}": { policy: "places-write", spend: "route" },
  "POST /api/places/{set}/bulk": { policy: "places-write", spend: "route" },
  // Folded into enqueue.lua (routes/jobs.ts): an enqueue is one round trip.
  "POST /api/queues/{queue}/jobs": { policy: "default", spend: "route" },
  // Folded into publish.lua and beat.lua (routes/channels.ts, routes/presence.ts): one round trip each.
  "POST /api/channels/{channel}/events": { policy: "channels-publish", spend: "route" },
  "POST /api/presence/{room}": { policy: "presence-beat", spend: "route" },
  // Counted in-isolate: opening (or resuming) a stream costs SUBSCRIBE + one history read only.
  "GET /api/channels/{channel}/events": { policy: "channels-subscribe", spend: "local" },
  "GET /api/events": { policy: "channels-subscribe", spend: "local" },
  // Folded into the session read (loadSession): a cookie route is the session read + its own script.
  "DELETE /api/presence/{room}": { policy: "presence-beat", spend: "route" },
  "POST /api/presence/{room}/leave": { policy: "presence-beat", spend: "route" },
  "GET /api/notifications": { policy: "default", spend: "route" },
  "GET /api/notifications/counts": { policy: "default", spend: "route" },
  "POST /api/notifications/{action}": { policy: "default", spend: "route" },
};

/** Policies counted in-isolate (no Redis key exists for them). */
export const LOCAL_POLICIES: ReadonlySet<PolicyName> = new Set(
  Object.values(ROUTE_RULES)
    .filter((rule) => rule.spend === "local")
    .map((rule) => rule.policy),
);

const DEFAULT_RULE: RouteRule = { policy: "default", spend: "before" };

/** Hono's `/:slug{[a-z]+}` as the `/{slug}` written in the table. */
export function openApiPattern(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?\??/g, "{$1}");
}

/** The rule for a request, from its method and the matched route's pattern ("" when none matched). */
export function routeRule(method: string, pattern: string): RouteRule {
  // HEAD is served by the GET route, and must not be a way around its policy.
  const verb = method === "HEAD" ? "GET" : method;
  const lookup = `${verb} ${pattern}`;
  let rule = rulesByPattern.get(lookup);
  if (!rule) {
    rule = ROUTE_RULES[`${verb} ${openApiPattern(pattern)}`] ?? DEFAULT_RULE;
    if (rulesByPattern.size >= 512) rulesByPattern.clear(); // any method name reaches here: stay bounded
    rulesByPattern.set(lookup, rule);
  }
  return rule;
}

/**
 * Rules by method and Hono pattern, per isolate: rewriting the pattern with a regex on every
 * request was a measurable share of a request's CPU. Patterns come from the route table, but an
 * unmatched request brings any method name, so the map is bounded.
 */
const rulesByPattern = new Map<string, RouteRule>();
