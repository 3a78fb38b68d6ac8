import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { type Principal, requireAccess } from "../lib/channels/access.ts";
import { CLIENT_SCRIPT } from "../lib/channels/client-script.ts";
import { decodePosition, STREAM_ID } from "../lib/channels/ids.ts";
import {
  CHANNEL_RULE,
  EVENT_NAME,
  EVENT_NAME_RULE,
  isChannelName,
  RESERVED_EVENTS,
  RESERVED_EVENTS_RULE,
} from "../lib/channels/names.ts";
import { openChannelStream } from "../lib/channels/open-stream.ts";
import { publishEvent } from "../lib/channels/publish-event.ts";
import { readHistory } from "../lib/channels/read-history.ts";
import { MAX_EVENT_BYTES } from "../lib/channels/settings.ts";
import { validationError } from "../lib/errors.ts";
import { limitJsonBytes } from "../lib/json-size.ts";
import { optionalPrincipal, secured } from "../middleware/authorize.ts";
import { loadSession } from "../middleware/session.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["channels"];
const noStore = { "cache-control": "no-store" };
/** Most channels one SSE connection may carry (all on one upstream subscription). */
export const MAX_STREAM_CHANNELS = 32;

const channelSchema = z
  .string()
  .refine(isChannelName, CHANNEL_RULE)
  .openapi({ description: "public:*, presence:*, user:{id}, or a private name", example: "public:news" });
const params = z.object({ channel: channelSchema.openapi({ param: { name: "channel", in: "path" } }) });
const positionSchema = z.string().max(4096).optional().openapi({
  description: "The last SSE id this page saw (EventSource sends it as Last-Event-ID on its own reconnects)",
});
const extraChannels = z
  .preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(channelSchema))
  .openapi({ description: "More channels on the same connection (repeat the parameter)" });
const eventSchema = z.object({ id: z.string(), event: z.string(), data: z.unknown() }).openapi("ChannelEvent");

const sse = {
  description:
    "An SSE stream: `retry:`, a `ready` event, `gap` when the history no longer reaches the id, then the channel's events (`id:` = the stream position) and `: keepalive` comments; it ends with `reconnect` after CHANNELS_STREAM_SECONDS",
  content: { "text/event-stream": { schema: z.string() } },
};
const refused = {
  401: problemResponse("A private or user channel without the admin token or a session"),
  403: problemResponse("Another user's channel, or a private one"),
  422: problemResponse("A malformed channel name or position"),
};

const publishRoute = createRoute({
  method: "post",
  path: "/api/channels/{channel}/events",
  summary: "Publish an event: appended to the channel's bounded history and published in ONE script",
  tags,
  ...secured("channels:publish:{channel}"),
  request: {
    params,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({
              event: z
                .string()
                .regex(EVENT_NAME, EVENT_NAME_RULE)
                .refine((name) => !RESERVED_EVENTS.has(name), RESERVED_EVENTS_RULE),
              data: z.unknown().optional(),
            })
            .openapi("ChannelPublish"),
        },
      },
    },
  },
  responses: {
    201: {
      description: "Stored and published; `id` is the SSE id subscribers see",
      content: { "application/json": { schema: z.object({ channel: z.string(), id: z.string() }) } },
    },
    401: unauthorizedResponse,
    422: problemResponse("A malformed channel or event name, or data over 32 KiB"),
    429: problemResponse("Over the channels-publish rate limit"),
  },
});

const streamRoute = createRoute({
  method: "get",
  path: "/api/channels/{channel}/events",
  summary: "Subscribe over server-sent events, with lossless resume (Last-Event-ID or ?last=)",
  tags,
  middleware: [loadSession()] as const,
  request: {
    params,
    query: z.object({ channel: extraChannels, last: positionSchema }),
    headers: z.object({ "last-event-id": positionSchema }),
  },
  responses: { 200: sse, ...refused, 503: problemResponse("Redis unreachable") },
});

const multiStreamRoute = createRoute({
  method: "get",
  path: "/api/events",
  summary: "Subscribe to several channels on one connection (?channel=a&channel=b): one upstream subscription",
  tags,
  middleware: [loadSession()] as const,
  request: {
    query: z.object({ channel: extraChannels, last: positionSchema }),
    headers: z.object({ "last-event-id": positionSchema }),
  },
  responses: { 200: sse, ...refused, 503: problemResponse("Redis unreachable") },
});

const historyRoute = createRoute({
  method: "get",
  path: "/api/channels/{channel}/history",
  summary: "The channel's history as JSON, oldest first, after a stream id",
  tags,
  middleware: [loadSession()] as const,
  request: {
    params,
    query: z.object({
      after: z.string().regex(STREAM_ID, "a stream id such as 1732000000000-0").optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: "A page of events; `gap` when entries after `after` may have been trimmed",
      content: {
        "application/json": {
          schema: z.object({ events: z.array(eventSchema), gap: z.boolean(), next: z.string().nullable() }),
        },
      },
    },
    ...refused,
  },
});

/** The admin token, an API key's scopes, and/or the session's user (`mayAccess` decides). */
async function principal(c: Context<AppEnv>): Promise<Principal> {
  const credential = await optionalPrincipal(c);
  return {
    admin: credential?.kind === "admin",
    scopes: credential?.kind === "key" ? credential.scopes : undefined,
    userId: c.get("session")?.userId,
  };
}

async function stream(c: Context<AppEnv>, channels: string[], position: string | undefined) {
  const distinct = [...new Set(channels)];
  if (distinct.length === 0) throw validationError([{ path: "channel", message: "name at least one channel" }]);
  if (distinct.length > MAX_STREAM_CHANNELS) {
    throw validationError([{ path: "channel", message: `at most ${MAX_STREAM_CHANNELS} channels per connection` }]);
  }
  requireAccess(await principal(c), distinct, "read");
  const config = c.get("config");
  const body = await openChannelStream(
    c.get("redis"),
    config,
    { url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN },
    {
      channels: distinct,
      resume: position === undefined || position === "" ? undefined : decodePosition(distinct, position),
    },
  );
  return c.body(body, 200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
}

export const channelRoutes = createRouter()
  .openapi(publishRoute, async (c) => {
    const { channel } = c.req.valid("param");
    const { event, data } = c.req.valid("json");
    limitJsonBytes(data, MAX_EVENT_BYTES, "data");
    requireAccess(await principal(c), [channel], "publish");
    const limit = await c.get("rateLimit").forScript(); // the check runs inside publish.lua
    const { id } = await publishEvent(c.get("redis"), c.get("config"), { channel, event, data, limit });
    return c.json({ channel, id }, 201, noStore);
  })
  .openapi(streamRoute, async (c) => {
    const { channel } = c.req.valid("param");
    const query = c.req.valid("query");
    return stream(c, [channel, ...query.channel], c.req.valid("header")["last-event-id"] ?? query.last);
  })
  .openapi(multiStreamRoute, async (c) => {
    const query = c.req.valid("query");
    return stream(c, query.channel, c.req.valid("header")["last-event-id"] ?? query.last);
  })
  .openapi(historyRoute, async (c) => {
    const { channel } = c.req.valid("param");
    requireAccess(await principal(c), [channel], "read");
    const { after, limit } = c.req.valid("query");
    return c.json(await readHistory(c.get("redis"), c.get("config"), { channel, after, limit }), 200, noStore);
  })
  // The browser client (not in /openapi.json: a script, not an API).
  .get("/client.js", (c) =>
    c.body(CLIENT_SCRIPT, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=3600",
    }),
  );
