import { createMiddleware } from "hono/factory";
import { type AppEnv, loadConfig } from "../env.ts";
import type { Clock } from "../lib/clock.ts";
import { createRedis } from "../lib/redis.ts";

/**
 * Puts the parsed config, a per-request Redis client and the clock on the context. Misconfiguration
 * surfaces here as a 503 problem naming the variable.
 */
export function requestContext(clock: Clock) {
  return createMiddleware<AppEnv>(async function requestContext(c, next) {
    const config = loadConfig(c.env);
    c.set("config", config);
    c.set("redis", createRedis(config));
    c.set("clock", clock);
    await next();
  });
}
