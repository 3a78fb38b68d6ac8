import { createRoute, z } from "@hono/zod-openapi";
import { purgeGateway } from "../lib/gateway/purge.ts";
import { readStats } from "../lib/gateway/stats.ts";
import { namespace } from "../lib/keys.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const httpUrl = z
  .url({ protocol: /^https?$/, error: "an absolute http(s) URL" })
  .max(2048)
  .openapi({ example: "https://shop.example.com/products/7" });
const PurgeRequest = z
  .strictObject({
    urls: z.array(httpUrl).min(1).max(100).optional().openapi({ description: "Every Vary variant of each URL" }),
    prefixes: z
      .array(httpUrl)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Everything under each path (segment boundaries: /shop purges /shop and /shop/...)" }),
    tags: z
      .array(z.string().min(1).max(256))
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Tags the origin gave in Cache-Tag or Surrogate-Key" }),
    all: z.literal(true).optional().openapi({ description: "Everything, in O(1) (always hard)" }),
    mode: z.enum(["soft", "hard"]).default("soft").openapi({
      description: "soft: marked stale (served inside its SWR/SIE windows while refreshing); hard: deleted",
    }),
  })
  .refine((body) => body.urls || body.prefixes || body.tags || body.all, {
    message: "name urls, prefixes, tags or all",
  })
  .openapi("CachePurge");

const purgeRoute = createRoute({
  ...secured("cache:purge"),
  tags: ["cache"],
  path: "/api/cache/purge",
  method: "post",
  summary: "Purge the gateway cache by URL, prefix, tag or all; done for every location on return",
  request: { body: { required: true, content: { "application/json": { schema: PurgeRequest } } } },
  responses: {
    200: {
      description: "Purged",
      content: {
        "application/json": {
          schema: z
            .object({
              purged: z.number().int().openapi({ description: "Entries purged by url, prefix and tag" }),
              all: z.boolean(),
              mode: z.enum(["soft", "hard"]),
            })
            .openapi("CachePurged"),
        },
      },
    },
    401: unauthorizedResponse,
    422: problemResponse("The body fails validation; `errors` lists the fields"),
  },
});

const Counters = z
  .object({
    hits: z.number().int(),
    staleHits: z.number().int(),
    misses: z.number().int(),
    fills: z.number().int(),
    fencedFills: z.number().int(),
    originErrors: z.number().int(),
    bypasses: z.number().int(),
  })
  .openapi("CacheCounters");

const statsRoute = createRoute({
  ...secured("cache:read"),
  tags: ["cache"],
  path: "/api/cache/stats",
  method: "get",
  summary: "Per-route gateway cache counts, totals and per minute (flushed per isolate every 10 s)",
  request: {
    query: z.object({
      minutes: z.coerce.number().int().min(1).max(1440).default(60).openapi({ description: "How far back" }),
    }),
  },
  responses: {
    200: {
      description: "Counts",
      content: {
        "application/json": {
          schema: z
            .object({
              routes: z.record(z.string(), Counters),
              series: z.array(z.object({ minute: z.number().int(), routes: z.record(z.string(), Counters) })),
            })
            .openapi("CacheStats"),
        },
      },
    },
    401: unauthorizedResponse,
    422: problemResponse("The query fails validation"),
  },
});

export const cacheRoutes = createRouter()
  .openapi(purgeRoute, async (c) => {
    const body = c.req.valid("json");
    const now = c.get("clock").now();
    const { purged, all } = await purgeGateway(c.get("redis"), namespace(c.get("config")), body, now);
    return c.json({ purged, all, mode: body.mode }, 200);
  })
  .openapi(statsRoute, async (c) => {
    const { minutes } = c.req.valid("query");
    return c.json(await readStats(c.get("redis"), namespace(c.get("config")), c.get("clock").now(), minutes), 200);
  });
