import { z } from "zod";
import type { Clock } from "./lib/clock.ts";
import { AppError } from "./lib/errors.ts";
import { gatewayRoutesSchema } from "./lib/gateway/config.ts";
import { idempotencyRoutesSchema } from "./lib/idempotency/config.ts";
import { rateLimitsSchema } from "./lib/ratelimit/policies.ts";
import type { RedisClient } from "./lib/redis.ts";
import type { Session } from "./lib/sessions/session.ts";

/**
 * Every binding the Worker reads, as wrangler passes them (strings). Documented in wrangler.toml
 * and docs/configuration.md. Secrets come from `wrangler secret put` or `.dev.vars`.
 */
export interface Bindings {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  ADMIN_TOKEN?: string;
  HASH_SECRET?: string;
  KEY_PREFIX?: string;
  REDIS_TIMEOUT_MS?: string;
  PUBLIC_URL?: string;
  /** Comma-separated hosts this service answers on (besides PUBLIC_URL's): links may not target them. */
  SERVICE_HOSTS?: string;
  /** How long an isolate keeps the flag set (ms); 0 reads Redis on every evaluation. */
  FLAGS_CACHE_TTL_MS?: string;
  SESSION_IDLE_MINUTES?: string;
  SESSION_ABSOLUTE_HOURS?: string;
  /** JSON overrides of the rate-limit policies (src/lib/ratelimit/policies.ts). */
  RATE_LIMITS?: string;
  VIEWS_DEDUP_SECONDS?: string;
  VIEWS_RETENTION_DAYS?: string;
  /** How long a completed Idempotency-Key request is replayed (hours). */
  IDEMPOTENCY_RETENTION_HOURS?: string;
  /** The in-flight claim's lease (seconds), extended while the handler runs. */
  IDEMPOTENCY_LEASE_SECONDS?: string;
  /** JSON: per-route `required` / `failOpen` (src/lib/idempotency/config.ts). */
  IDEMPOTENCY_ROUTES?: string;
  /** "true" lets webhooks target private and loopback addresses (tests, `npm run dev`). */
  JOBS_ALLOW_PRIVATE_TARGETS?: string;
  JOBS_MAX_PAYLOAD_BYTES?: string;
  JOBS_DELIVERIES_PER_TICK?: string;
  /** Distinct pages view counting accepts per UTC day; views of new pages beyond it are refused. */
  VIEWS_MAX_PAGES_PER_DAY?: string;
  /** Comma-separated patterns (`*` = any run of characters): only matching page ids are counted. */
  VIEWS_ALLOWED_PAGES?: string;
  /** How long an isolate trusts a verified API key or dashboard user (s): the revocation delay. */
  API_KEYS_CACHE_SECONDS?: string;
  /** PBKDF2-SHA256 iterations for new dashboard passwords (at most 100000, workerd's limit). */
  PASSWORD_ITERATIONS?: string;
  /** Events each channel's history keeps (XADD MAXLEN ~); resume reaches back this far. */
  CHANNELS_HISTORY?: string;
  /** Hours a channel's history lives after its last event. */
  CHANNELS_HISTORY_HOURS?: string;
  /** Seconds an SSE stream lives before it ends itself (± 10 %) and the client resumes. */
  CHANNELS_STREAM_SECONDS?: string;
  /** Seconds between the keepalive comments an idle stream writes (no Redis command). */
  CHANNELS_KEEPALIVE_SECONDS?: string;
  /** Seconds without a heartbeat after which a presence connection has left. */
  PRESENCE_TTL_SECONDS?: string;
  /** Room size above which joins and leaves go out as periodic batched deltas. */
  PRESENCE_BATCH_THRESHOLD?: string;
  /** Seconds between batched presence deltas in a large room. */
  PRESENCE_BATCH_SECONDS?: string;
  /** Notifications one user's inbox keeps; read and archived ones are evicted first. */
  INBOX_CAP?: string;
  /** JSON array of gateway routes: path (+ host) -> origin, with cache options (src/lib/gateway/config.ts). */
  GATEWAY_ROUTES?: string;
}

/** A comma-separated list: trimmed, empty entries dropped. */
const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");

const secret = (name: string) =>
  z
    .string({ error: `${name} is not set` })
    .min(16, `${name} must be at least 16 characters`)
    .max(512, `${name} must be at most 512 characters`);

const configSchema = z.object({
  UPSTASH_REDIS_REST_URL: z
    .url({
      protocol: /^https?$/,
      error: (issue) =>
        issue.input === undefined
          ? "UPSTASH_REDIS_REST_URL is not set"
          : "UPSTASH_REDIS_REST_URL must be an http(s) URL",
    })
    .transform((url) => url.replace(/\/+$/, "")),
  UPSTASH_REDIS_REST_TOKEN: z.string({ error: "UPSTASH_REDIS_REST_TOKEN is not set" }).min(1),
  ADMIN_TOKEN: secret("ADMIN_TOKEN"),
  HASH_SECRET: secret("HASH_SECRET"),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{0,64}$/, "KEY_PREFIX may hold up to 64 of A-Z a-z 0-9 : _ -")
    .default(""),
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1000),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "PUBLIC_URL must be an http(s) URL" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  SERVICE_HOSTS: z
    .string()
    .optional()
    .transform(list)
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$/, "SERVICE_HOSTS lists host names, comma-separated")
          .transform((host) => host.toLowerCase().replace(/\.$/, "")),
      ),
    ),
  FLAGS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5000),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  // At most a year, so a cookie's Max-Age stays under the 400 days browsers accept.
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
  RATE_LIMITS: rateLimitsSchema,
  // A repeat view of a page by one visitor inside this window is not counted (at most a day).
  VIEWS_DEDUP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(1800),
  VIEWS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  IDEMPOTENCY_ROUTES: idempotencyRoutesSchema,
  JOBS_ALLOW_PRIVATE_TARGETS: z
    .enum(["true", "false", ""], { error: "JOBS_ALLOW_PRIVATE_TARGETS must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  JOBS_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(65_536),
  // Attempts per queue per cron tick: 40 fits the Free plan's 50 subrequests per invocation.
  JOBS_DELIVERIES_PER_TICK: z.coerce.number().int().min(1).max(10_000).default(40),
  VIEWS_MAX_PAGES_PER_DAY: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  VIEWS_ALLOWED_PAGES: z
    .string()
    .optional()
    .transform(list)
    .pipe(z.array(z.string().max(512, "VIEWS_ALLOWED_PAGES: each pattern at most 512 characters")).max(100)),
  API_KEYS_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  PASSWORD_ITERATIONS: z.coerce.number().int().min(10_000).max(100_000).default(100_000),
  CHANNELS_HISTORY: z.coerce.number().int().min(10).max(100_000).default(1000),
  CHANNELS_HISTORY_HOURS: z.coerce.number().int().min(1).max(8_760).default(24),
  CHANNELS_STREAM_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  CHANNELS_KEEPALIVE_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
  PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(3_600).default(45),
  PRESENCE_BATCH_THRESHOLD: z.coerce.number().int().min(1).max(1_000_000).default(100),
  PRESENCE_BATCH_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  INBOX_CAP: z.coerce.number().int().min(1).max(10_000).default(500),
  GATEWAY_ROUTES: gatewayRoutesSchema,
});

/** Parsed, validated configuration. */
export type Config = z.infer<typeof configSchema>;

const parsed = new WeakMap<object, Config>();

/**
 * Parses the bindings once per isolate. A missing or malformed value is a 503 problem naming the
 * variable, so a misconfigured deploy answers clearly instead of crashing.
 */
export function loadConfig(bindings: Bindings): Config {
  const cached = parsed.get(bindings);
  if (cached) return cached;
  const result = configSchema.safeParse(bindings);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? ""),
      message: issue.message,
    }));
    throw new AppError(
      "config_invalid",
      `Configuration error: ${problems.map((p) => (p.message.includes(p.variable) ? p.message : `${p.variable}: ${p.message}`)).join("; ")}`,
      { extensions: { variables: problems.map((p) => p.variable) } },
    );
  }
  parsed.set(bindings, result.data);
  return result.data;
}

/** The Hono environment threaded through `new Hono<AppEnv>()` and `createMiddleware<AppEnv>()`. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    config: Config;
    /** A client for this request only (Workers forbid sharing I/O objects across requests). */
    redis: RedisClient;
    clock: Clock;
    requestId: string;
    /** The live session, when `loadSession()` ran and the cookie named one. */
    session?: Session;
  };
}
