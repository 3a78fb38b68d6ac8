import { createRoute, z } from "@hono/zod-openapi";
import {
  deleteList,
  hitInputSchema,
  listInputSchema,
  listKeySchema,
  listLists,
  putList,
  readTrending,
  recordHit,
  undoHit,
} from "../lib/trending/index.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["trending"];
const noStore = { "cache-control": "no-store" };
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;
const missing = problemResponse("No such list");
const params = z.object({ list: listKeySchema });

const listSchema = z
  .object({
    key: z.string(),
    halfLifeSeconds: z.number().int(),
    cap: z.number().int(),
    undoSeconds: z.number().int(),
    landmark: z.number().int().openapi({ description: "The fixed time (ms) decay is measured from" }),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .openapi("TrendingList");

const putRoute = createRoute({
  method: "put",
  path: "/api/trending/{list}",
  summary: "Create or replace a trending list's settings (half-life, cap, undo window)",
  tags,
  ...secured("trending:write"),
  request: { params, body: { required: true, content: { "application/json": { schema: listInputSchema } } } },
  responses: {
    200: json("The list was replaced", listSchema),
    201: json("The list was created", listSchema),
    401: unauthorized,
    409: problemResponse("The half-life would change while the list holds items, or there are 1,000 lists"),
    422: problemResponse("The settings are not valid"),
  },
});

const readRoute = createRoute({
  method: "get",
  path: "/api/trending/{list}",
  summary: "The hottest items with their heat now (public; one round trip)",
  tags,
  request: { params, query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
  responses: {
    200: json(
      "Items by heat, hottest first",
      z.object({
        list: listSchema,
        total: z.number().int(),
        items: z.array(z.object({ item: z.string(), heat: z.number(), rank: z.number().int() })),
      }),
    ),
    404: missing,
    422: problemResponse("limit is not valid"),
    429: problemResponse("Over the rate limit"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/trending/{list}",
  summary: "Delete a trending list with its items",
  tags,
  ...secured("trending:write"),
  request: { params },
  responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: missing },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/trending",
  summary: "Every trending list's settings, by key",
  tags,
  ...secured("trending:read"),
  responses: { 200: json("The lists", z.object({ lists: z.array(listSchema) })), 401: unauthorized },
});

const hitRoute = createRoute({
  method: "post",
  path: "/api/trending/{list}/hits",
  summary: "Record a hit on an item (admin; one round trip); returns the id that undoes it",
  tags,
  ...secured("trending:write"),
  request: { params, body: { required: true, content: { "application/json": { schema: hitInputSchema } } } },
  responses: {
    200: json(
      "The item's heat and rank after the hit",
      z.object({
        item: z.string(),
        heat: z.number(),
        rank: z.number().int().nullable(),
        id: z.string().nullable().openapi({ description: "Undoes the hit (null when the list has no undo window)" }),
      }),
    ),
    401: unauthorized,
    404: missing,
    422: problemResponse("The item or weight is not valid"),
    429: problemResponse("Over the trending-hit rate limit"),
  },
});

const undoRoute = createRoute({
  method: "delete",
  path: "/api/trending/{list}/hits/{id}",
  summary: "Undo one hit by its id: exactly its contribution is taken away, once",
  tags,
  ...secured("trending:write"),
  request: { params: z.object({ list: listKeySchema, id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, "a hit id") }) },
  responses: {
    200: json(
      "The item's heat after the undo (null: it left the list)",
      z.object({ item: z.string(), heat: z.number().nullable() }),
    ),
    401: unauthorized,
    404: problemResponse("No such list, or no such hit to undo"),
    422: problemResponse("The id is not a hit id"),
  },
});

export const trendingRoutes = createRouter()
  .openapi(listRoute, async (c) => c.json({ lists: await listLists(c.get("redis"), c.get("config")) }, 200))
  .openapi(putRoute, async (c) => {
    const { list: key } = c.req.valid("param");
    const now = c.get("clock").now();
    const { list, created } = await putList(c.get("redis"), c.get("config"), now, key, c.req.valid("json"));
    return c.json(list, created ? 201 : 200);
  })
  .openapi(readRoute, async (c) => {
    const { list } = c.req.valid("param");
    const rateLimit = await c.get("rateLimit").forScript(); // the check runs inside read-trending.lua
    const now = c.get("clock").now();
    const trending = await readTrending(c.get("redis"), c.get("config"), {
      list,
      limit: c.req.valid("query").limit,
      now,
      rateLimit,
    });
    return c.json(trending, 200, noStore);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteList(c.get("redis"), c.get("config"), c.req.valid("param").list);
    return c.body(null, 204);
  })
  .openapi(hitRoute, async (c) => {
    const { list } = c.req.valid("param");
    const { item, weight } = c.req.valid("json");
    const limit = await c.get("rateLimit").forScript(); // the check runs inside hit.lua
    const now = c.get("clock").now();
    return c.json(await recordHit(c.get("redis"), c.get("config"), { list, item, weight, now, limit }), 200, noStore);
  })
  .openapi(undoRoute, async (c) => {
    const { list, id } = c.req.valid("param");
    const now = c.get("clock").now();
    return c.json(await undoHit(c.get("redis"), c.get("config"), { list, id, now }), 200, noStore);
  });
