/**
 * `edgekit/hono`: edgekit's primitives as middleware for your own Hono app on Workers. Each factory
 * takes a Redis client (or `redisFromEnv()`) and its own options, never edgekit's whole config,
 * and calls the same lib functions, with the same scripts and guarantees, as edgekit's routes.
 * Errors are `HTTPException`s carrying RFC 9457 problem responses. See docs/hono.md.
 */

export {
  CacheBackoffError,
  type CachedOptions,
  CacheEntryTooLargeError,
  type CacheOutcome,
  cached,
  cachedWithOutcome,
  invalidateAll,
  invalidateKey,
  invalidateTag,
  type PurgeMode,
  type Scope as CacheScope,
} from "../lib/cache/index.ts";
export { createRedisClient, type RedisClient } from "../lib/redis.ts";
export { type CacheOptions, type CacheVariables, cache } from "./cache.ts";
export {
  type ExperimentClient,
  type ExperimentsOptions,
  type ExperimentsVariables,
  experiments,
} from "./experiments.ts";
export { type FlagEvaluator, type FlagsOptions, type FlagsVariables, flags } from "./flags.ts";
export { type IdempotencyOptions, type IdempotencyVariables, idempotency } from "./idempotency.ts";
export { toHttpException } from "./problems.ts";
export { type RateLimitOptions, rateLimit } from "./rate-limit.ts";
export { type PerRequest, type RedisSource, redisFromEnv } from "./redis.ts";
export {
  endSession,
  type Session,
  type SessionOptions,
  type SessionVariables,
  session,
  startSession,
  updateSession,
} from "./session.ts";
