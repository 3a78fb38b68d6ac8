import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { inboxCounts, listNotifications, MARKS, mark, notify, STATUSES } from "../lib/inbox/inbox.ts";
import { MAX_NOTIFICATION_DATA_BYTES, notificationInputSchema } from "../lib/inbox/schema.ts";
import { limitJsonBytes } from "../lib/json-size.ts";
import { SESSION_LIMITS, USER_ID_RULE } from "../lib/sessions/session.ts";
import { secured } from "../middleware/authorize.ts";
import { loadSession, sameOriginOnly } from "../middleware/session.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["inbox"];
const noStore = { "cache-control": "no-store" };
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const countsSchema = z
  .object({
    unread: z.number().int(),
    unseen: z.number().int(),
    total: z.number().int().openapi({ description: "Items not archived" }),
    archived: z.number().int(),
  })
  .openapi("InboxCounts");
const notificationSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    body: z.string(),
    data: z.unknown(),
    key: z.string().nullable(),
    createdAt: z.number().int(),
    unread: z.boolean(),
    seen: z.boolean(),
    archived: z.boolean(),
  })
  .openapi("Notification");
/** What notify answers, whether it added the notification (201) or found its key (200). */
const notifiedSchema = z.object({
  id: z.number().int(),
  duplicate: z.boolean(),
  counts: countsSchema,
  evicted: z.array(z.number().int()),
});
const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const noSession = problemResponse("No live session");
const crossOrigin = problemResponse("A cross-origin request");

const notifyRoute = createRoute({
  method: "post",
  path: "/api/users/{userId}/notifications",
  summary: "Add a notification to a user's inbox (deduplicated by key); counts published to user:{userId}",
  tags,
  ...secured("notifications:write"),
  request: {
    params: z.object({ userId: z.string().regex(SESSION_LIMITS.userId, USER_ID_RULE) }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: notificationInputSchema.openapi("NotificationInput"),
        },
      },
    },
  },
  responses: {
    201: json("Added; `evicted` lists the ids the cap removed", notifiedSchema),
    200: json("A notification with this key exists already: nothing changed", notifiedSchema),
    401: unauthorizedResponse,
    422: problemResponse("A malformed user id or body, or data over 8 KiB"),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/notifications",
  summary: "The session user's notifications, newest first, with the counts",
  tags,
  middleware: [loadSession()] as const,
  request: {
    query: z.object({
      status: z.enum(STATUSES).default("all").openapi({ description: "all = not archived" }),
      before: z.coerce.number().int().min(1).optional().openapi({ description: "The `next` of the previous page" }),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: {
    200: json(
      "A page",
      z.object({ notifications: z.array(notificationSchema), counts: countsSchema, next: z.number().int().nullable() }),
    ),
    401: noSession,
    422: problemResponse("A malformed parameter"),
  },
});

const countsRoute = createRoute({
  method: "get",
  path: "/api/notifications/counts",
  summary: "The session user's badge numbers",
  tags,
  middleware: [loadSession()] as const,
  responses: { 200: json("The counts", countsSchema), 401: noSession },
});

const markRoute = createRoute({
  method: "post",
  path: "/api/notifications/{action}",
  summary: "Mark read, seen or archived: by ids, or every one up to an id (mark all read: the newest id shown)",
  tags,
  middleware: [sameOriginOnly(), loadSession()] as const,
  request: {
    params: z.object({ action: z.enum(MARKS).openapi({ param: { name: "action", in: "path" } }) }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .union([z.strictObject({ ids: z.array(id).min(1).max(500) }), z.strictObject({ upTo: id })])
            .openapi("NotificationMark"),
        },
      },
    },
  },
  responses: {
    200: json(
      "The ids that changed and the counts now (also published to user:{id})",
      z.object({ changed: z.array(z.number().int()), counts: countsSchema }),
    ),
    401: noSession,
    403: crossOrigin,
    422: problemResponse("Neither ids nor upTo, or a malformed id"),
  },
});

function sessionUser(c: Context<AppEnv>): string {
  const userId = c.get("session")?.userId;
  if (userId === undefined) throw new AppError("unauthorized", "This route needs a session cookie.");
  return userId;
}

export const inboxRoutes = createRouter()
  .openapi(notifyRoute, async (c) => {
    const { userId } = c.req.valid("param");
    const input = c.req.valid("json");
    limitJsonBytes(input.data, MAX_NOTIFICATION_DATA_BYTES, "data");
    const result = await notify(c.get("redis"), c.get("config"), { userId, ...input, now: c.get("clock").now() });
    return result.duplicate ? c.json(result, 200, noStore) : c.json(result, 201, noStore);
  })
  .openapi(countsRoute, async (c) =>
    c.json(await inboxCounts(c.get("redis"), c.get("config"), sessionUser(c)), 200, noStore),
  )
  .openapi(listRoute, async (c) => {
    const userId = sessionUser(c);
    const query = c.req.valid("query");
    return c.json(await listNotifications(c.get("redis"), c.get("config"), { userId, ...query }), 200, noStore);
  })
  .openapi(markRoute, async (c) => {
    const userId = sessionUser(c);
    const { action } = c.req.valid("param");
    const body = c.req.valid("json");
    const target = "upTo" in body ? { upTo: body.upTo } : { ids: body.ids };
    return c.json(await mark(c.get("redis"), c.get("config"), { userId, action, ...target }), 200, noStore);
  });
