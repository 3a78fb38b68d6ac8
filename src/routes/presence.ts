import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { validationError } from "../lib/errors.ts";
import { limitJsonBytes } from "../lib/json-size.ts";
import { CONNECTION_ID, CONNECTION_ID_RULE, ROOM_NAME, ROOM_NAME_RULE } from "../lib/presence/keys.ts";
import { heartbeat, leave, MAX_INFO_BYTES, onlineMembers, roster } from "../lib/presence/presence.ts";
import { SESSION_LIMITS, USER_ID_RULE } from "../lib/sessions/session.ts";
import { adminRequired } from "../middleware/admin-auth.ts";
import { missingScope, optionalPrincipal, permits } from "../middleware/authorize.ts";
import { loadSession, sameOriginOnly } from "../middleware/session.ts";
import { createRouter, problemResponse } from "./router.ts";

const tags = ["presence"];
const noStore = { "cache-control": "no-store" };
const params = z.object({
  room: z
    .string()
    .regex(ROOM_NAME, ROOM_NAME_RULE)
    .openapi({ param: { name: "room", in: "path" }, example: "doc-42" }),
});
const memberId = z.string().regex(SESSION_LIMITS.userId, USER_ID_RULE);
const connection = z
  .string()
  .regex(CONNECTION_ID, CONNECTION_ID_RULE)
  .default("main")
  .openapi({ description: "One id per tab or device: the member stays while any of them beats" });
const memberSchema = z
  .object({ member: z.string(), info: z.unknown(), lastSeenAt: z.number().int() })
  .openapi("PresenceMember");
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
const who = {
  member: memberId
    .optional()
    .openapi({ description: "With the admin token: whose heartbeat (a session beats as its user)" }),
  connection,
};
const leaveBody = z.strictObject(who).openapi("PresenceLeave");
const leaveResponses = {
  200: json(
    "Left (or still present through another connection)",
    z.object({ count: z.number().int(), left: z.boolean() }),
  ),
  401: problemResponse("Neither a session nor the admin token"),
  403: problemResponse("A cross-origin request"),
  422: problemResponse("A malformed room, member or connection"),
};

const beatRoute = createRoute({
  method: "post",
  path: "/api/presence/{room}",
  summary: "Heartbeat (every ~15 s): records the member, expires the silent, publishes joins/leaves on change",
  description:
    "ONE script. The session's user, or with the admin token the `member` named. Publishes to the `presence:{room}` channel only when someone joined or left.",
  tags,
  middleware: [sameOriginOnly(), loadSession()] as const,
  request: {
    params,
    body: body(
      z
        .strictObject({
          ...who,
          info: z.unknown().optional().openapi({ description: "Up to 1 KB of JSON shown to the room" }),
          members: z.boolean().default(false).openapi({ description: "Also answer the roster" }),
        })
        .openapi("PresenceBeat"),
      false,
    ),
  },
  responses: {
    200: json(
      "The member is present",
      z.object({ count: z.number().int(), joined: z.boolean(), members: z.array(memberSchema).optional() }),
    ),
    401: problemResponse("Neither a session nor the admin token"),
    403: problemResponse("A cross-origin request"),
    422: problemResponse("A malformed room, member or connection, or info over 1 KB"),
    429: problemResponse("Over the presence-beat rate limit"),
  },
});

const leaveRoute = createRoute({
  method: "delete",
  path: "/api/presence/{room}",
  summary: "Best-effort leave of one connection (the timeout is the truth)",
  tags,
  middleware: [sameOriginOnly(), loadSession()] as const,
  request: { params, body: body(leaveBody, false) },
  responses: leaveResponses,
});

const beaconLeaveRoute = createRoute({
  method: "post",
  path: "/api/presence/{room}/leave",
  summary: "The same leave as a POST, for navigator.sendBeacon",
  tags,
  middleware: [sameOriginOnly(), loadSession()] as const,
  request: { params, body: body(leaveBody, false) },
  responses: leaveResponses,
});

const rosterRoute = createRoute({
  method: "get",
  path: "/api/presence/{room}",
  summary: "The roster (newest heartbeat first) and the exact count of people",
  tags,
  request: { params, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  responses: {
    200: json("The members present", z.object({ count: z.number().int(), members: z.array(memberSchema) })),
    422: problemResponse("A malformed room or limit"),
  },
});

const onlineRoute = createRoute({
  method: "post",
  path: "/api/presence/{room}/online",
  summary: "Is each of these members in the room now? (up to 100 ids, one round trip)",
  tags,
  request: {
    params,
    body: body(z.strictObject({ members: z.array(memberId).min(1).max(100) }).openapi("PresenceOnline")),
  },
  responses: {
    200: json("true for each member present", z.object({ online: z.record(z.string(), z.boolean()) })),
    422: problemResponse("A malformed room or member id, or more than 100"),
  },
});

/** The member a request speaks for: `member` with the admin token or a `presence:write` key, else the session's user. */
async function memberOf(c: Context<AppEnv>, named: string | undefined): Promise<string> {
  if (named !== undefined) {
    const credential = await optionalPrincipal(c);
    if (credential && permits(c, credential, "presence:write")) return named;
    if (credential?.kind === "key") throw missingScope("presence:write");
  }
  const userId = c.get("session")?.userId;
  if (userId === undefined) throw adminRequired();
  if (named !== undefined && named !== userId) {
    throw validationError([
      { path: "member", message: "only with the admin token or a presence:write key; a session beats as its own user" },
    ]);
  }
  return userId;
}

export const presenceRoutes = createRouter()
  .openapi(beatRoute, async (c) => {
    const { room } = c.req.valid("param");
    const input = c.req.valid("json") ?? {};
    limitJsonBytes(input.info, MAX_INFO_BYTES, "info");
    const member = await memberOf(c, input.member);
    const limit = await c.get("rateLimit").forScript(); // the check runs inside beat.lua
    const result = await heartbeat(c.get("redis"), c.get("config"), {
      room,
      member,
      connection: input.connection ?? "main",
      info: input.info,
      withMembers: input.members ?? false,
      now: c.get("clock").now(),
      limit,
    });
    return c.json(result, 200, noStore);
  })
  .openapi(leaveRoute, async (c) => {
    const { room } = c.req.valid("param");
    const input = c.req.valid("json") ?? {};
    const member = await memberOf(c, input.member);
    const now = c.get("clock").now();
    return c.json(
      await leave(c.get("redis"), c.get("config"), { room, member, connection: input.connection ?? "main", now }),
      200,
    );
  })
  .openapi(beaconLeaveRoute, async (c) => {
    const { room } = c.req.valid("param");
    const input = c.req.valid("json") ?? {};
    const member = await memberOf(c, input.member);
    const now = c.get("clock").now();
    return c.json(
      await leave(c.get("redis"), c.get("config"), { room, member, connection: input.connection ?? "main", now }),
      200,
    );
  })
  .openapi(rosterRoute, async (c) => {
    const { room } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    return c.json(
      await roster(c.get("redis"), c.get("config"), { room, limit, now: c.get("clock").now() }),
      200,
      noStore,
    );
  })
  .openapi(onlineRoute, async (c) => {
    const { room } = c.req.valid("param");
    const { members } = c.req.valid("json");
    const online = await onlineMembers(c.get("redis"), c.get("config"), { room, members, now: c.get("clock").now() });
    return c.json({ online }, 200, noStore);
  });
