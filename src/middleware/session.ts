import type { Context } from "hono";
import { generateCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import type { ScriptLimit } from "../lib/ratelimit/limited-script.ts";
import { readSession } from "../lib/sessions/index.ts";
import type { RateLimitHandle } from "./rate-limit.ts";

const NAME = "session";
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * `__Host-session` (Secure, so https only) everywhere except plain http on a loopback host, where
 * browsers refuse Secure cookies: there it is `session` without Secure, for local development.
 * Plain http on any other host keeps the Secure cookie, which a browser will not store: sessions
 * fail closed instead of travelling in clear text.
 */
function cookiePrefix(c: Context): "host" | undefined {
  const url = new URL(c.req.url);
  return url.protocol === "http:" && LOOPBACK.has(url.hostname) ? undefined : "host";
}

/** The session token the request's cookie carries, if any (its format is checked later). */
export function sessionToken(c: Context): string | undefined {
  return getCookie(c, NAME, cookiePrefix(c)) || undefined;
}

/** Sets the session cookie; it lives no longer than the session's absolute timeout. */
export function setSessionCookie(c: Context, token: string, expiresAt: number, now: number): void {
  const prefix = cookiePrefix(c);
  setCookie(c, NAME, token, {
    prefix,
    httpOnly: true,
    secure: prefix === "host",
    sameSite: "Lax",
    path: "/",
    maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
  });
}

/**
 * The Set-Cookie value that clears the session cookie: for a problem's headers, because a header
 * set on the context before a handler throws does not reach the error response.
 */
export function clearedSessionCookie(c: Context): string {
  const prefix = cookiePrefix(c);
  return generateCookie(NAME, "", {
    prefix,
    httpOnly: true,
    secure: prefix === "host",
    sameSite: "Lax",
    path: "/",
    maxAge: 0,
  });
}

export function clearSessionCookie(c: Context): void {
  c.header("set-cookie", clearedSessionCookie(c), { append: true });
}

/**
 * The rate-limit check to fold into a cookie route's script, so the route stays at one round
 * trip; undefined when the app has no rate limiting or the units are already spent.
 */
export async function sessionRouteLimit(c: Context<AppEnv>): Promise<ScriptLimit | undefined> {
  const handle = c.get("rateLimit") as RateLimitHandle | undefined;
  return handle?.forScript();
}

/**
 * Loads the session named by the cookie into `c.var.session`, in one Redis round trip (a script
 * that also enforces the timeouts and refreshes the idle timer at most once a minute). Without a
 * cookie Redis is not asked. An unknown, expired, forged or malformed cookie leaves no session
 * and is cleared, the same way in every case.
 *
 * @example
 * app.use("/account/*", loadSession());
 * app.get("/account", (c) => c.json({ user: c.var.session?.userId ?? null }));
 */
export function loadSession() {
  return createMiddleware<AppEnv>(async function loadSession(c, next) {
    const token = sessionToken(c);
    if (token !== undefined) {
      const session = await readSession(c.get("redis"), c.get("config"), {
        token,
        now: c.get("clock").now(),
        limit: await sessionRouteLimit(c),
      });
      if (session) c.set("session", session);
      else clearSessionCookie(c);
    }
    await next();
  });
}

/**
 * True when the request comes from another site, by `Sec-Fetch-Site` (anything but
 * "same-origin") or else `Origin` (anything but this origin or PUBLIC_URL's), whatever the
 * content type (Hono's `csrf()` looks at form types only). A request with neither header is no
 * browser's (browsers send Origin with every PATCH, DELETE and POST), so it has no ambient cookie
 * to forge with: it passes unless `requireOrigin`.
 */
export function crossOrigin(c: Context<AppEnv>, requireOrigin = false): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site !== "same-origin";
  const origin = c.req.header("origin");
  if (origin === undefined) return requireOrigin;
  const publicUrl = c.get("config").PUBLIC_URL;
  return origin !== new URL(c.req.url).origin && (publicUrl === undefined || origin !== new URL(publicUrl).origin);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses with a 403 a state-changing request (any method but GET, HEAD, OPTIONS) from another
 * site (`crossOrigin`), for routes that act on the strength of the cookie, before the session is
 * touched. `requireOrigin` refuses one that carries neither header too (the dashboard's forms,
 * which only a browser posts).
 */
export function sameOriginOnly(options: { requireOrigin?: boolean } = {}) {
  const requireOrigin = options.requireOrigin ?? false;
  return createMiddleware<AppEnv>(async function sameOriginOnly(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && crossOrigin(c, requireOrigin)) {
      throw new AppError(
        "forbidden",
        "This request came from another origin; session changes must come from this site.",
      );
    }
    await next();
  });
}
