import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { checkLimit, type LimitOutcome } from "../lib/ratelimit/check-limit.ts";
import { rateLimitHeaders } from "../lib/ratelimit/headers.ts";
import { ipIdentifier, userIdentifier } from "../lib/ratelimit/identifier.ts";
import { type ScriptLimit, scriptLimit } from "../lib/ratelimit/limited-script.ts";
import { localLimit } from "../lib/ratelimit/local-limit.ts";
import type { PolicyName } from "../lib/ratelimit/policies.ts";
import { type RouteRule, routeRule } from "../lib/ratelimit/routes.ts";
import { asRedisUnavailable, cutOffRedis } from "../lib/redis.ts";
import { credentialIdentifier } from "./authorize.ts";

/**
 * What a route sees of the rate limit of its request: `c.get("rateLimit")` (not `c.var.rateLimit`:
 * Hono's `c.var` copies every variable into a new object on each access, measurable on hot paths).
 */
export interface RateLimitHandle {
  readonly policy: PolicyName;
  /**
   * Spends `cost` units now. Throws the 429 problem when over the limit, or a 503 when Redis failed
   * and the policy fails closed. For routes whose rule says `spend: "route"`.
   *
   * @example
   * const { links } = c.req.valid("json");
   * await c.get("rateLimit").spend(links.length); // one unit per link
   */
  spend(cost: number): Promise<void>;
  /**
   * Spends one unit for each check, each under its own identifier (and policy, the route's when
   * not given), instead of the request's own identity: for a backend calling on behalf of its
   * users, so that one user's retries do not spend everyone's quota. The checks run together (one
   * round trip); throws the first refusal, like `spend`.
   *
   * @example
   * await c.get("rateLimit").spendFor([{ identifier: await userIdentifier(userId) }]);
   */
  spendFor(checks: readonly { identifier: string; policy?: PolicyName }[]): Promise<void>;
  /**
   * Records a decision taken elsewhere (a route that folded the check into its own Lua script),
   * so the response still gets its headers. Throws like `spend` when the outcome refuses.
   */
  settle(outcome: LimitOutcome): void;
  /**
   * The check to fold into the route's own Lua script (`limitedScript`), for hot paths: no extra
   * round trip, no side effect when refused. Throws at once if this isolate already knows the
   * client is blocked. Resolves to undefined when the units are spent already: by the middleware
   * (the route's rule says "before") or by a separate check (the policy's algorithm cannot be
   * folded); the route then runs its script without a limit.
   *
   * @example
   * const limit = await c.get("rateLimit").forScript();
   * const link = await followLink(redis, config, slug, now, limit);
   */
  forScript(cost?: number): Promise<ScriptLimit | undefined>;
}

declare module "hono" {
  interface ContextVariableMap {
    rateLimit: RateLimitHandle;
  }
}

/**
 * Rate limits every request by the per-route policy table (src/lib/ratelimit/routes.ts), and puts
 * the RateLimit headers on every response, errors and 429s included. Mounted once, app-wide, after
 * `requestContext` and before anything that reads the body, so a blocked client is refused before
 * its body is read.
 *
 * Time: `@upstash/ratelimit` reads `Date.now()` itself, so the headers are computed from the same
 * clock (not the app's injectable one), or `t` would disagree with the windows Redis keeps.
 */
export function rateLimit() {
  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const config = c.get("config");
    // A gateway route (GATEWAY_ROUTES) names its own policy, spent by the gateway (folded into
    // its cache lookup, or before forwarding).
    const gatewayRoute = c.get("gatewayRoute");
    const rule: RouteRule = gatewayRoute
      ? { policy: gatewayRoute.rateLimit, spend: "route" }
      : routeRule(c.req.method, matchedPattern(c));
    let outcome: LimitOutcome | undefined;
    // The policy the outcome (and so the headers) belongs to: the route's, or one of spendFor's.
    let outcomePolicy: PolicyName = rule.policy;

    const refuseIfNeeded = (decided: LimitOutcome, name: PolicyName = rule.policy) => {
      outcome = decided;
      outcomePolicy = name;
      if (decided.status === "allowed" || decided.status === "fail-open") return;
      const policy = config.RATE_LIMITS[name];
      const headers = rateLimitHeaders(name, policy, decided, Date.now());
      if (decided.status === "fail-closed") {
        throw new AppError("redis_unavailable", "Storage is temporarily unavailable. Try again shortly.", {
          headers: { ...headers, "retry-after": "2" },
          cause: decided.cause,
        });
      }
      throw new AppError(
        "quota_exceeded",
        `Over the "${name}" limit of ${policy.limit} per ${policy.window} s. Retry in ${headers["retry-after"]} s.`,
        { extensions: { policy: name }, headers },
      );
    };
    const check = async (name: PolicyName, identifier: string, cost: number) => {
      const decided = await checkLimit(c.get("redis"), config, { policy: name, identifier, cost });
      if (decided.status === "allowed" || decided.status === "blocked") keepAlive(c, decided.pending);
      // Redis failed or timed out: the route's own commands answer 503 at once, not after a second timeout.
      else cutOffRedis(c.get("redis"));
      return decided;
    };
    const spend = async (cost: number) => {
      const identifier = await identify(c);
      if (rule.spend === "local") {
        return refuseIfNeeded(localLimit(rule.policy, config.RATE_LIMITS[rule.policy], identifier, cost, Date.now()));
      }
      refuseIfNeeded(await check(rule.policy, identifier, cost));
    };
    const spendFor: RateLimitHandle["spendFor"] = async (checks) => {
      const decisions = await Promise.all(
        checks.map(async ({ identifier, policy: name = rule.policy }) => ({
          name,
          decided: await check(name, identifier, 1),
        })),
      );
      const refused = decisions.find(({ decided }) => decided.status === "blocked" || decided.status === "fail-closed");
      const shown = refused ?? decisions[0];
      if (shown) refuseIfNeeded(shown.decided, shown.name);
    };
    const forScript = async (cost = 1) => {
      // Already spent (the rule says "before"): folding again would count the request twice.
      if (outcome) return undefined;
      const limit = scriptLimit(config, rule.policy, await identify(c), cost, Date.now(), refuseIfNeeded);
      if (!limit) await spend(cost);
      return limit;
    };
    c.set("rateLimit", { policy: rule.policy, spend, spendFor, settle: refuseIfNeeded, forScript });

    if (rule.spend === "before" || rule.spend === "local") await spend(1);
    await next();
    // A route that spends itself but ended before doing so (a 422, a 404) still spends one unit:
    // invalid requests are not free. The response stands (even over the limit); it gains the headers.
    if (!outcome && storageFailed(c.error)) {
      // The route's own command found Redis gone (a folded check never ran): asking again would
      // only wait for another timeout. The policy's decision still goes in the headers.
      const failOpen = config.RATE_LIMITS[rule.policy].onRedisFailure === "open";
      outcome = { status: failOpen ? "fail-open" : "fail-closed", cause: c.error };
    } else if (!outcome) {
      await spend(1).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
    }
    if (outcome) {
      setHeaders(c, rateLimitHeaders(outcomePolicy, config.RATE_LIMITS[outcomePolicy], outcome, Date.now()));
    }
  });
}

/**
 * The pattern of the route that will answer: the first matched entry registered for a method
 * (app-wide middleware is registered for ALL; a route's own middleware shares its path).
 */
export function matchedPattern(c: Context<AppEnv>): string {
  return matchedRoutes(c).find((route) => route.method !== "ALL")?.path ?? "";
}

/**
 * admin or the API key (`key:<id>`: each key has its own budget), else the session's user, else the client's IP (never X-Forwarded-For). Asked when the
 * units are spent, not when the middleware starts: sessions are loaded by route middleware
 * (`loadSession()`), so only a route that spends itself (rule `spend: "route"`) after its
 * session was loaded is counted per user; routes checked before they run count admin or IP.
 */
async function identify(c: Context<AppEnv>): Promise<string> {
  // Verified once per request (and per isolate for API_KEYS_CACHE_SECONDS): no extra round trip.
  const credential = await credentialIdentifier(c);
  if (credential) return credential;
  // Set by the sessions middleware when it ran before this one.
  const session = c.get("session") as { userId?: unknown } | null | undefined;
  if (typeof session?.userId === "string" && session.userId !== "") return userIdentifier(session.userId);
  return ipIdentifier(c.req.header("cf-connecting-ip"), c.get("config").HASH_SECRET);
}

/** True for an error that means Redis (or the way to it) failed, as the 503 path reads it. */
function storageFailed(error: unknown): boolean {
  return (error instanceof AppError && error.code === "redis_unavailable") || Boolean(asRedisUnavailable(error));
}

function keepAlive(c: Context<AppEnv>, pending: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(pending);
  } catch {
    // No ExecutionContext (app.request in tests): nothing outlives the request anyway.
  }
}

function setHeaders(c: Context<AppEnv>, headers: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  } catch {
    // Immutable headers (a Response passed through from fetch): copy it once.
    c.res = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  }
}
