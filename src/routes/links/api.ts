import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import type { LinkContext } from "../../lib/links/context.ts";
import { createLink } from "../../lib/links/create-link.ts";
import { createLinks, MAX_BULK } from "../../lib/links/create-links.ts";
import { deleteLink } from "../../lib/links/delete-link.ts";
import { getLink } from "../../lib/links/get-link.ts";
import { RETENTION_DAYS } from "../../lib/links/keys.ts";
import { linkQr } from "../../lib/links/link-qr.ts";
import { linkStats } from "../../lib/links/link-stats.ts";
import { CURSOR_PATTERN, listLinks } from "../../lib/links/list-links.ts";
import { linkInputSchema, linkPatchSchema, linkSchema, slugParamSchema } from "../../lib/links/schema.ts";
import { updateLink } from "../../lib/links/update-link.ts";
import { secured } from "../../middleware/authorize.ts";
import { createRouter, problemResponse, problemSchema, unauthorizedResponse } from "../router.ts";

const Link = linkSchema.openapi("Link");
const LinkInput = linkInputSchema.openapi("LinkInput");
const slugParams = z.object({ slug: slugParamSchema.openapi({ param: { name: "slug", in: "path" } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;
const invalid = problemResponse("The body or a parameter fails validation; `errors` lists the fields");
const missing = problemResponse("No such link");

const context = (c: Context<AppEnv>): LinkContext => ({ now: c.get("clock").now(), requestUrl: c.req.url });

const createLinkRoute = createRoute({
  ...secured("links:write"),
  tags: ["links"],
  method: "post",
  path: "/api/links",
  summary: "Create a short link",
  request: { body: { required: true, content: { "application/json": { schema: LinkInput } } } },
  responses: { 201: json(Link, "Created"), 401: unauthorized, 409: problemResponse("The slug is taken"), 422: invalid },
});

const bulkResult = z.object({
  index: z.number().int(),
  ok: z.boolean(),
  status: z.number().int().openapi({ description: "What this item alone would have answered: 201, 409 or 422" }),
  link: Link.optional(),
  error: problemSchema.optional(),
});
const bulkRoute = createRoute({
  ...secured("links:write"),
  tags: ["links"],
  method: "post",
  path: "/api/links/bulk",
  summary: `Create up to ${MAX_BULK} links in one request and one Redis round trip`,
  description:
    "Always 200 once the envelope is valid: each item carries its own status. Items that fail validation never reach Redis.",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ links: z.array(z.unknown()).min(1).max(MAX_BULK) }) } },
    },
  },
  responses: {
    200: json(
      z.object({ created: z.number().int(), failed: z.number().int(), results: z.array(bulkResult) }),
      "Per-item results",
    ),
    401: unauthorized,
    422: invalid,
  },
});

const listRoute = createRoute({
  ...secured("links:read"),
  tags: ["links"],
  method: "get",
  path: "/api/links",
  summary: "List links, newest first",
  request: {
    query: z.object({
      cursor: z.string().regex(CURSOR_PATTERN, "must be a nextCursor from a previous page").optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: {
    200: json(z.object({ links: z.array(Link), nextCursor: z.string().nullable() }), "A page of links"),
    401: unauthorized,
    422: invalid,
  },
});

const getRoute = createRoute({
  ...secured("links:read"),
  tags: ["links"],
  method: "get",
  path: "/api/links/{slug}",
  summary: "Read a link",
  request: { params: slugParams },
  responses: { 200: json(Link, "The link"), 401: unauthorized, 404: missing, 422: invalid },
});

const patchRoute = createRoute({
  ...secured("links:write"),
  tags: ["links"],
  method: "patch",
  path: "/api/links/{slug}",
  summary: "Change a link's settings (never its slug); null removes a setting",
  request: {
    params: slugParams,
    body: { required: true, content: { "application/json": { schema: linkPatchSchema.openapi("LinkPatch") } } },
  },
  responses: { 200: json(Link, "The changed link"), 401: unauthorized, 404: missing, 422: invalid },
});

const deleteRoute = createRoute({
  ...secured("links:write"),
  tags: ["links"],
  method: "delete",
  path: "/api/links/{slug}",
  summary: "Delete a link and all its statistics",
  request: { params: slugParams },
  responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: missing, 422: invalid },
});

const statsRoute = createRoute({
  ...secured("links:read"),
  tags: ["links"],
  method: "get",
  path: "/api/links/{slug}/stats",
  summary: "Click statistics of a link",
  request: {
    params: slugParams,
    query: z.object({ days: z.coerce.number().int().min(1).max(RETENTION_DAYS).default(30) }),
  },
  responses: {
    200: json(
      z.object({
        slug: z.string(),
        clicks: z.number().int(),
        botClicks: z.number().int(),
        uniqueVisitors: z.number().int(),
        daily: z.array(z.object({ day: z.string(), clicks: z.number().int() })),
        referrers: z.array(z.object({ host: z.string(), clicks: z.number().int() })),
        countries: z.array(z.object({ country: z.string(), clicks: z.number().int() })),
      }),
      "Human clicks, bot clicks apart, unique visitors, clicks per day, top referrer hosts and countries",
    ),
    401: unauthorized,
    404: missing,
    422: invalid,
  },
});

const qrRoute = createRoute({
  ...secured("links:read"),
  tags: ["links"],
  method: "get",
  path: "/api/links/{slug}/qr",
  summary: "QR code of the short URL, as SVG",
  request: { params: slugParams },
  responses: {
    200: { description: "The QR code", content: { "image/svg+xml": { schema: z.string() } } },
    401: unauthorized,
    404: missing,
    422: invalid,
  },
});

export const linkApiRoutes = createRouter()
  .openapi(createLinkRoute, async (c) => {
    const limit = await c.get("rateLimit").forScript(); // the check runs inside create-links.lua
    const link = await createLink(c.get("redis"), c.get("config"), c.req.valid("json"), context(c), limit);
    return c.json(link, 201, { location: `/api/links/${link.slug}` });
  })
  .openapi(bulkRoute, async (c) => {
    const { links } = c.req.valid("json");
    await c.get("rateLimit").spend(links.length); // one unit per link (the bulk-create-links policy)
    const results = await createLinks(c.get("redis"), c.get("config"), links, context(c));
    const created = results.filter((result) => result.ok).length;
    return c.json({ created, failed: results.length - created, results }, 200);
  })
  .openapi(listRoute, async (c) => {
    const page = await listLinks(c.get("redis"), c.get("config"), c.req.valid("query"), context(c));
    return c.json(page, 200);
  })
  .openapi(getRoute, async (c) => {
    const limit = await c.get("rateLimit").forScript(); // the check runs inside read-link.lua
    const link = await getLink(c.get("redis"), c.get("config"), c.req.valid("param").slug, context(c), limit);
    return c.json(link, 200);
  })
  .openapi(patchRoute, async (c) => {
    const { slug } = c.req.valid("param");
    const link = await updateLink(c.get("redis"), c.get("config"), slug, c.req.valid("json"), context(c));
    return c.json(link, 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteLink(c.get("redis"), c.get("config"), c.req.valid("param").slug, c.get("clock").now());
    return c.body(null, 204);
  })
  .openapi(statsRoute, async (c) => {
    const { slug } = c.req.valid("param");
    const { days } = c.req.valid("query");
    const stats = await linkStats(c.get("redis"), c.get("config"), { slug, days, now: c.get("clock").now() });
    return c.json(stats, 200, { "cache-control": "no-store" });
  })
  .openapi(qrRoute, async (c) => {
    const svg = await linkQr(c.get("redis"), c.get("config"), c.req.valid("param").slug, context(c));
    return c.body(svg, 200, { "content-type": "image/svg+xml", "cache-control": "private, max-age=3600" });
  });
