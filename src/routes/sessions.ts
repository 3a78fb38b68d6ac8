import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { isReservedName, RESERVED_NAME_HINT, refuseReservedKeys } from "../lib/names.ts";
import { clientAddress, ipIdentifier } from "../lib/ratelimit/identifier.ts";
import {
  createSession,
  destroySession,
  destroyUserSessions,
  type JsonValue,
  listUserSessions,
  RESERVED_USER_ID_PREFIX,
  rotateSession,
  SESSION_LIMITS,
  type SessionSummary,
  updateSessionData,
  userTag,
} from "../lib/sessions/index.ts";
import { secured } from "../middleware/authorize.ts";
import {
  clearedSessionCookie,
  clearSessionCookie,
  loadSession,
  sameOriginOnly,
  sessionRouteLimit,
  sessionToken,
  setSessionCookie,
} from "../middleware/session.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const COOKIE_NOTE = "Uses the session cookie (`__Host-session`; `session` on http://localhost).";

// Reserved names are looked for in the raw body: zod's record output would drop `__proto__` unseen.
const dataSchema = z
  .preprocess(
    refuseReservedKeys,
    z
      .record(
        z.string(),
        z.unknown().openapi({ description: `Any JSON value, up to ${SESSION_LIMITS.maxValueBytes} bytes` }),
      )
      .superRefine((data, ctx) => {
        const names = Object.keys(data);
        if (names.length > SESSION_LIMITS.maxFields) {
          ctx.addIssue({ code: "custom", message: `At most ${SESSION_LIMITS.maxFields} fields` });
        }
        for (const name of names.filter((n) => !SESSION_LIMITS.fieldName.test(n))) {
          ctx.addIssue({ code: "custom", path: [name], message: "Field names are 1-64 of A-Z a-z 0-9 _ . -" });
        }
        for (const name of names.filter((n) => n !== "__proto__" && isReservedName(n))) {
          ctx.addIssue({ code: "custom", path: [name], message: RESERVED_NAME_HINT });
        }
      }),
  )
  .openapi({
    description: `Up to ${SESSION_LIMITS.maxFields} fields named by 1-64 of A-Z a-z 0-9 _ . - (not __proto__, constructor, prototype)`,
  });

const summarySchema = z.object({
  userId: z.string(),
  handle: z.string().openapi({ description: "SHA-256 of the session's token: names it, is no credential" }),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().openapi({ description: "The absolute timeout" }),
  idleExpiresAt: z.iso.datetime().openapi({ description: "When the session ends unless used before" }),
  userAgent: z.string(),
});
const sessionSchema = summarySchema.extend({ data: z.record(z.string(), z.unknown()) }).openapi("Session");
const tokenSchema = z
  .object({
    id: z.string().openapi({ description: "The session token, also sent as the cookie. Shown only here." }),
    handle: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .openapi("SessionToken");
const userParams = z.object({
  userId: z
    .string()
    .regex(SESSION_LIMITS.userId, "1-128 printable ASCII characters, no spaces or braces")
    .refine((id) => !id.startsWith(RESERVED_USER_ID_PREFIX), `Ids starting "${RESERVED_USER_ID_PREFIX}" are reserved`),
});

/**
 * The end user's address, as the backend that calls POST /api/sessions forwards it. Trusted only
 * there: that route needs the admin token, so only the backend can set it.
 */
export const CLIENT_IP_HEADER = "edgekit-client-ip";

const iso = (ms: number) => new Date(ms).toISOString();
const summaryBody = (s: SessionSummary) => ({
  userId: s.userId,
  handle: s.handle,
  createdAt: iso(s.createdAt),
  lastSeenAt: iso(s.lastSeenAt),
  expiresAt: iso(s.expiresAt),
  idleExpiresAt: iso(s.idleExpiresAt),
  userAgent: s.userAgent,
});

/** The one answer for "no live session", whatever the cookie held: nothing tells them apart. */
function noSession(c: Context<AppEnv>): never {
  const headers: Record<string, string> =
    sessionToken(c) === undefined ? {} : { "set-cookie": clearedSessionCookie(c) };
  throw new AppError("unauthorized", "There is no session: sign in again.", { headers });
}

/**
 * What one sign-in spends: the user's budget (named by the user's keyed session tag, so no user
 * id reaches a key), and the end user's address's when the backend forwards it.
 */
async function signInChecks(c: Context<AppEnv>, userId: string) {
  const secret = c.get("config").HASH_SECRET;
  const checks: { identifier: string; policy?: "create-session-address" }[] = [
    { identifier: `user:hmac-${await userTag(secret, userId)}` },
  ];
  const forwarded = c.req.header(CLIENT_IP_HEADER);
  if (forwarded !== undefined && clientAddress(forwarded) !== "unknown") {
    checks.push({ identifier: await ipIdentifier(forwarded, secret), policy: "create-session-address" });
  }
  return checks;
}

const ok = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const noStore = { "cache-control": "no-store" };

const createSessionRoute = createRoute({
  method: "post",
  path: "/api/sessions",
  summary: "Start a session for a user your backend has authenticated",
  description:
    "Rate limited per user id (`create-session`) and, when the backend forwards the end user's address in `Edgekit-Client-IP`, per address (`create-session-address`).",
  tags: ["sessions"],
  ...secured("sessions:write"),
  request: {
    headers: z.object({
      [CLIENT_IP_HEADER]: z
        .string()
        .optional()
        .openapi({ description: "The end user's IP address, for the per-address limit" }),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            userId: userParams.shape.userId,
            data: dataSchema.optional(),
            userAgent: z.string().max(SESSION_LIMITS.userAgentChars).optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: ok(tokenSchema, "Created; Set-Cookie carries the token"),
    401: unauthorizedResponse,
    422: problemResponse("The body fails its schema"),
    429: problemResponse("This user, or this end-user address, signed in too often"),
  },
});

const currentRoute = createRoute({
  method: "get",
  path: "/api/sessions/current",
  summary: "The session the cookie names",
  description: COOKIE_NOTE,
  tags: ["sessions"],
  middleware: [loadSession()] as const,
  responses: {
    200: ok(sessionSchema, "The live session"),
    401: problemResponse("No live session (missing, unknown, expired or malformed cookie: all alike)"),
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/sessions/current",
  summary: "Set or delete (null) data fields of the current session, one by one",
  description: COOKIE_NOTE,
  tags: ["sessions"],
  middleware: [sameOriginOnly()] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: z.object({ data: dataSchema }) } } },
  },
  responses: {
    200: ok(sessionSchema, "The updated session"),
    401: problemResponse("No live session"),
    403: problemResponse("A cross-origin request"),
    422: problemResponse("Bad field names or values, or too many fields"),
  },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/api/sessions/current/rotate",
  summary: "Give the current session a new id; the old one stops working",
  description: COOKIE_NOTE,
  tags: ["sessions"],
  middleware: [sameOriginOnly()] as const,
  responses: {
    200: ok(tokenSchema, "Rotated; Set-Cookie carries the new token"),
    401: problemResponse("No live session"),
    403: problemResponse("A cross-origin request"),
  },
});

const logoutRoute = createRoute({
  method: "delete",
  path: "/api/sessions/current",
  summary: "Log out: the session is deleted and the cookie cleared",
  description: `${COOKIE_NOTE} Answers 204 whether or not there was a session.`,
  tags: ["sessions"],
  middleware: [sameOriginOnly()] as const,
  responses: {
    204: { description: "Logged out" },
    403: problemResponse("A cross-origin request"),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/users/{userId}/sessions",
  summary: "A user's live sessions, most recently seen first",
  tags: ["sessions"],
  ...secured("sessions:read"),
  request: { params: userParams },
  responses: {
    200: ok(z.object({ sessions: z.array(summarySchema) }), "The live sessions"),
    401: unauthorizedResponse,
    422: problemResponse("A malformed user id"),
  },
});

const revokeAllRoute = createRoute({
  method: "delete",
  path: "/api/users/{userId}/sessions",
  summary: "Log a user out everywhere",
  tags: ["sessions"],
  ...secured("sessions:write"),
  request: { params: userParams },
  responses: {
    200: ok(z.object({ revoked: z.number().int() }), "How many sessions were ended"),
    401: unauthorizedResponse,
    422: problemResponse("A malformed user id"),
  },
});

export const sessionRoutes = createRouter()
  .openapi(createSessionRoute, async (c) => {
    const { userId, data, userAgent } = c.req.valid("json");
    await c.get("rateLimit").spendFor(await signInChecks(c, userId));
    const now = c.get("clock").now();
    const created = await createSession(c.get("redis"), c.get("config"), {
      userId,
      data: data as Record<string, JsonValue> | undefined,
      userAgent: userAgent ?? c.req.header("user-agent") ?? "",
      now,
    });
    setSessionCookie(c, created.token, created.expiresAt, now);
    return c.json({ id: created.token, handle: created.handle, expiresAt: iso(created.expiresAt) }, 201, noStore);
  })
  .openapi(currentRoute, async (c) => {
    const session = c.get("session");
    if (!session) return noSession(c);
    return c.json({ ...summaryBody(session), data: session.data }, 200, noStore);
  })
  .openapi(patchRoute, async (c) => {
    const token = sessionToken(c);
    const { data } = c.req.valid("json");
    const session =
      token === undefined
        ? undefined
        : await updateSessionData(c.get("redis"), c.get("config"), {
            token,
            data: data as Record<string, JsonValue>,
            now: c.get("clock").now(),
            limit: await sessionRouteLimit(c),
          });
    if (!session) return noSession(c);
    return c.json({ ...summaryBody(session), data: session.data }, 200, noStore);
  })
  .openapi(rotateRoute, async (c) => {
    const token = sessionToken(c);
    const now = c.get("clock").now();
    const rotated =
      token === undefined
        ? undefined
        : await rotateSession(c.get("redis"), c.get("config"), { token, now, limit: await sessionRouteLimit(c) });
    if (!rotated) return noSession(c);
    setSessionCookie(c, rotated.token, rotated.session.expiresAt, now);
    const { handle, expiresAt } = rotated.session;
    return c.json({ id: rotated.token, handle, expiresAt: iso(expiresAt) }, 200, noStore);
  })
  .openapi(logoutRoute, async (c) => {
    const token = sessionToken(c);
    if (token !== undefined) {
      const limit = await sessionRouteLimit(c);
      await destroySession(c.get("redis"), c.get("config"), { token, now: c.get("clock").now(), limit });
      clearSessionCookie(c);
    }
    return c.body(null, 204);
  })
  .openapi(listRoute, async (c) => {
    const { userId } = c.req.valid("param");
    const sessions = await listUserSessions(c.get("redis"), c.get("config"), { userId, now: c.get("clock").now() });
    return c.json({ sessions: sessions.map(summaryBody) }, 200, noStore);
  })
  .openapi(revokeAllRoute, async (c) => {
    const { userId } = c.req.valid("param");
    const revoked = await destroyUserSessions(c.get("redis"), c.get("config"), { userId });
    return c.json({ revoked }, 200);
  });
