import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { type GatewayRoute, matchRoute } from "../lib/gateway/config.ts";
import { cacheStatus } from "../lib/gateway/policy.ts";
import { serveGateway } from "../lib/gateway/serve.ts";
import { flushStats } from "../lib/gateway/stats.ts";
import { namespace } from "../lib/keys.ts";
import { problemResponse } from "../lib/problem.ts";
import { cutOffRedis } from "../lib/redis.ts";
import { logServerError, toAppError } from "./problems.ts";
import { matchedPattern } from "./rate-limit.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The GATEWAY_ROUTES entry this request is proxied by, set by `gatewayMatch`. */
    gatewayRoute?: GatewayRoute;
  }
}

/**
 * Finds the gateway route of a request (GATEWAY_ROUTES), before the rate limit, which then uses
 * the route's policy. A route with a host matches first, even over edgekit's own routes; a
 * path-only route only where edgekit has no route of its own. Nothing else is ever proxied.
 */
export function gatewayMatch() {
  return createMiddleware<AppEnv>(async function gatewayMatch(c, next) {
    const routes = c.get("config").GATEWAY_ROUTES;
    if (routes.length > 0) {
      const url = new URL(c.req.url);
      const route = matchRoute(routes, url.host, url.pathname, matchedPattern(c) !== "");
      if (route) c.set("gatewayRoute", route);
    }
    await next();
  });
}

/**
 * Serves a matched request from the gateway (src/lib/gateway/serve.ts), before any middleware
 * that reads the body: the request body streams to the origin. Every answer, problems included,
 * carries Cache-Status.
 */
export function gateway() {
  return createMiddleware<AppEnv>(async function gateway(c, next) {
    const route = c.get("gatewayRoute");
    if (!route) return next();
    const config = c.get("config");
    const redis = c.get("redis");
    const clock = c.get("clock");
    const prefix = namespace(config);
    const rateLimit = c.get("rateLimit");
    try {
      c.res = await serveGateway({
        request: c.req.raw,
        url: new URL(c.req.url),
        route,
        redis,
        prefix,
        now: () => clock.now(),
        clientIp: c.req.header("cf-connecting-ip"),
        redisTimeoutMs: config.REDIS_TIMEOUT_MS,
        waitUntil: (promise) => keepAlive(c, promise),
        limit: () => rateLimit.forScript(),
        spend: () => rateLimit.spend(1),
        redisFailed: () => cutOffRedis(redis),
      });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500 && appError.code !== "bad_gateway" && appError.code !== "gateway_timeout") {
        logServerError(appError, c);
      }
      const res = problemResponse(appError, c.req.path);
      res.headers.set("cache-status", cacheStatus({ fwd: "miss", detail: appError.code.replaceAll("_", "-") }));
      c.res = res;
    }
    keepAlive(c, flushStats(redis, prefix, clock.now()));
    return c.res;
  });
}

function keepAlive(c: Context<AppEnv>, promise: Promise<unknown>): void {
  const quiet = promise.catch(() => {});
  try {
    c.executionCtx.waitUntil(quiet);
  } catch {
    // No ExecutionContext (app.request in tests): the promise runs on by itself.
  }
}
