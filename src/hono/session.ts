import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import {
  createSession,
  destroySession,
  type JsonValue,
  readSession,
  type Session,
  type SessionConfig,
  updateSessionData,
} from "../lib/sessions/index.ts";
import { clearSessionCookie, sessionToken, setSessionCookie } from "../middleware/session.ts";
import { asHttp } from "./problems.ts";
import { envHashSecret, type PerRequest, type RedisSource, resolve, resolveRedis } from "./redis.ts";

export type { JsonValue, Session };

/** What `session()` adds to a request: `c.get("session")`, when the cookie names a live session. */
export interface SessionVariables {
  session?: Session;
}

export interface SessionOptions {
  redis: RedisSource;
  /** Keys user ids in the user index (default `c.env.HASH_SECRET`, 16 characters or more). */
  hashSecret?: PerRequest<string>;
  /** A session ends after this long without use (default 30, as edgekit's SESSION_IDLE_MINUTES). */
  idleMinutes?: number;
  /** A session ends this long after it started, however active (default 168 = 7 days). */
  absoluteHours?: number;
  /** Put before every key, like edgekit's KEY_PREFIX (default ""). */
  prefix?: string;
}

function sessionConfig(c: Context, options: SessionOptions): SessionConfig {
  return {
    KEY_PREFIX: options.prefix ?? "",
    HASH_SECRET: resolve(c, options.hashSecret ?? envHashSecret),
    SESSION_IDLE_MINUTES: options.idleMinutes ?? 30,
    SESSION_ABSOLUTE_HOURS: options.absoluteHours ?? 168,
  };
}

/**
 * Loads the session the request's cookie names (`__Host-session`; `session` on plain-http
 * loopback for development) into `c.get("session")`, in ONE round trip: one script that enforces
 * the idle and absolute timeouts and refreshes the idle timer at most once a minute. No cookie:
 * Redis is not asked. An unknown, expired or forged cookie leaves no session and is cleared.
 *
 * @example
 * const sessions = { redis: redisFromEnv() };
 * app.use(session(sessions));
 * app.post("/login", async (c) => c.json(await startSession(c, sessions, { userId: "u_42" }), 201));
 * app.get("/me", (c) => c.json({ user: c.get("session")?.userId ?? null }));
 */
export function session(options: SessionOptions) {
  return createMiddleware<{ Variables: SessionVariables }>(async function session(c, next) {
    const token = sessionToken(c);
    if (token !== undefined) {
      const found = await asHttp(() =>
        readSession(resolveRedis(c, options.redis), sessionConfig(c, options), { token, now: Date.now() }),
      );
      if (found) c.set("session", found);
      else clearSessionCookie(c);
    }
    await next();
  });
}

/**
 * Starts a session for a user your code has authenticated and sets its cookie (HttpOnly, Secure,
 * SameSite=Lax, as long as the absolute timeout). One script.
 */
export async function startSession(
  c: Context,
  options: SessionOptions,
  input: { userId: string; data?: Record<string, JsonValue> },
): Promise<{ handle: string; expiresAt: number }> {
  const now = Date.now();
  const created = await asHttp(() =>
    createSession(resolveRedis(c, options.redis), sessionConfig(c, options), {
      userId: input.userId,
      data: input.data,
      userAgent: c.req.header("user-agent"),
      now,
    }),
  );
  setSessionCookie(c, created.token, created.expiresAt, now);
  return { handle: created.handle, expiresAt: created.expiresAt };
}

/** Sets (or with `null` deletes) data fields of the request's session; undefined without one. */
export async function updateSession(
  c: Context,
  options: SessionOptions,
  data: Record<string, JsonValue>,
): Promise<Session | undefined> {
  const token = sessionToken(c);
  if (token === undefined) return undefined;
  return asHttp(() =>
    updateSessionData(resolveRedis(c, options.redis), sessionConfig(c, options), { token, data, now: Date.now() }),
  );
}

/** Ends the request's session in Redis and clears its cookie. True when there was one. */
export async function endSession(c: Context, options: SessionOptions): Promise<boolean> {
  const token = sessionToken(c);
  clearSessionCookie(c);
  if (token === undefined) return false;
  return asHttp(() =>
    destroySession(resolveRedis(c, options.redis), sessionConfig(c, options), { token, now: Date.now() }),
  );
}
