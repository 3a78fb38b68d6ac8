import { createRoute, z } from "@hono/zod-openapi";
import { clientInfo } from "../lib/client-info.ts";
import { CSP } from "../lib/content-security.ts";
import {
  badgeSvg,
  countView,
  formatCount,
  MAX_PAGE_ID,
  MAX_PAGE_URL,
  pageIdFromUrl,
  pageIdProblem,
  readTotal,
  readViews,
  TOP_PERIODS,
  topPages,
} from "../lib/views/index.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const pageId = z
  .string()
  .superRefine((page, ctx) => {
    const problem = pageIdProblem(page);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: `Up to ${MAX_PAGE_ID} letters, digits and URL punctuation, percent-encoded in the path ("/" as %2F). "top" is reserved.`,
    example: "blog%2Fhello-world",
  });
const pageParams = z.object({ page: pageId });
const urlQuery = z.object({
  url: z
    .string()
    .max(MAX_PAGE_URL)
    .openapi({ description: "A full http(s) URL; counted as origin + path (query and fragment dropped)" }),
});
const daysQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(30)
    .openapi({ description: "UTC days back from today, today included (at most VIEWS_RETENTION_DAYS)" }),
});

const countedSchema = z
  .object({
    views: z.number().int().openapi({ description: "Human views of the page, all time" }),
    uniquesToday: z.number().int().openapi({ description: "Distinct visitors today (UTC), ±0.81%" }),
    counted: z.boolean().openapi({ description: "False for a bot or a repeat view inside the dedup window" }),
  })
  .openapi("CountedView");
const dayCounts = { views: z.number().int(), uniques: z.number().int(), bots: z.number().int() };
const pageViewsSchema = z
  .object({
    page: z.string(),
    views: z.number().int(),
    bots: z.number().int(),
    range: z.object({
      days: z.number().int(),
      from: z.string(),
      to: z.string(),
      ...dayCounts,
      uniques: z.number().int().openapi({ description: "PFCOUNT over the days' HyperLogLogs: a union" }),
    }),
    perDay: z.array(z.object({ day: z.string(), ...dayCounts })),
  })
  .openapi("PageViews");

const noStore = { "cache-control": "no-store" };
const tags = ["views"];
const countResponses = {
  200: { description: "The view was seen", content: { "application/json": { schema: countedSchema } } },
  422: problemResponse("The page id or URL is not valid, or not in VIEWS_ALLOWED_PAGES"),
  429: problemResponse("Over the count-view rate limit, or a new page once VIEWS_MAX_PAGES_PER_DAY were counted today"),
  503: problemResponse("Redis is unreachable"),
};
const readResponses = {
  200: {
    description: "The counts (zeros for a page never viewed)",
    content: { "application/json": { schema: pageViewsSchema } },
  },
  422: problemResponse("The page id, URL or days is not valid"),
  503: problemResponse("Redis is unreachable"),
};

// Declared before the `{page}` routes, so `/api/views/top` is never read as a page.
const topRoute = createRoute({
  method: "get",
  path: "/api/views/top",
  summary: "The most viewed pages today, over 7 or 30 days (admin: it lists every page id)",
  tags,
  ...secured("views:read"),
  request: {
    query: z.object({
      period: z.enum(Object.keys(TOP_PERIODS) as [keyof typeof TOP_PERIODS]).default("day"),
      limit: z.coerce.number().int().min(1).max(100).default(10),
    }),
  },
  responses: {
    200: {
      description: "Pages by human views, highest first",
      content: {
        "application/json": {
          schema: z.object({
            period: z.string(),
            from: z.string(),
            to: z.string(),
            pages: z.array(z.object({ page: z.string(), views: z.number().int() })),
          }),
        },
      },
    },
    401: unauthorizedResponse,
    422: problemResponse("period or limit is not valid"),
    503: problemResponse("Redis is unreachable"),
  },
});

const countByUrlRoute = createRoute({
  method: "post",
  path: "/api/views",
  summary: "Count a view of the page at ?url= (public; no body needed)",
  tags,
  request: { query: urlQuery },
  responses: countResponses,
});

const countRoute = createRoute({
  method: "post",
  path: "/api/views/{page}",
  summary: "Count a view of a page (public; no body needed; one round trip)",
  tags,
  request: { params: pageParams },
  responses: countResponses,
});

const readByUrlRoute = createRoute({
  method: "get",
  path: "/api/views",
  summary: "Views, per day, and unique visitors of the page at ?url= (public)",
  tags,
  request: { query: urlQuery.extend(daysQuery.shape) },
  responses: readResponses,
});

const readRoute = createRoute({
  method: "get",
  path: "/api/views/{page}",
  summary: "Views, per day, and unique visitors of a page (public; one round trip)",
  tags,
  request: { params: pageParams, query: daysQuery },
  responses: readResponses,
});

const badgeRoute = createRoute({
  method: "get",
  path: "/api/views/{page}/badge.svg",
  summary: "A small SVG badge with the page's all-time views (public; does not count a view)",
  tags,
  request: {
    params: pageParams,
    query: z.object({ label: z.string().min(1).max(32).default("views") }),
  },
  responses: {
    200: { description: "The badge", content: { "image/svg+xml": { schema: z.string() } } },
    422: problemResponse("The page id or label is not valid"),
    503: problemResponse("Redis is unreachable"),
  },
});

export const viewsRoutes = createRouter()
  .openapi(topRoute, async (c) => {
    const { period, limit } = c.req.valid("query");
    const top = await topPages(c.get("redis"), c.get("config"), { period, limit, now: c.get("clock").now() });
    return c.json(top, 200, noStore);
  })
  .openapi(countByUrlRoute, async (c) => {
    const page = pageIdFromUrl(c.req.valid("query").url);
    const client = clientInfo(c.req.raw);
    const limit = await c.get("rateLimit").forScript(); // #5: the check runs inside count-view.lua
    const result = await countView(c.get("redis"), c.get("config"), { page, client, now: c.get("clock").now(), limit });
    return c.json(result, 200, noStore);
  })
  .openapi(countRoute, async (c) => {
    const { page } = c.req.valid("param");
    const client = clientInfo(c.req.raw);
    const limit = await c.get("rateLimit").forScript(); // #5: the check runs inside count-view.lua
    const result = await countView(c.get("redis"), c.get("config"), { page, client, now: c.get("clock").now(), limit });
    return c.json(result, 200, noStore);
  })
  .openapi(readByUrlRoute, async (c) => {
    const { url, days } = c.req.valid("query");
    const page = pageIdFromUrl(url);
    const views = await readViews(c.get("redis"), c.get("config"), { page, days, now: c.get("clock").now() });
    return c.json(views, 200, noStore);
  })
  .openapi(readRoute, async (c) => {
    const { page } = c.req.valid("param");
    const { days } = c.req.valid("query");
    const views = await readViews(c.get("redis"), c.get("config"), { page, days, now: c.get("clock").now() });
    return c.json(views, 200, noStore);
  })
  .openapi(badgeRoute, async (c) => {
    const { page } = c.req.valid("param");
    const total = await readTotal(c.get("redis"), c.get("config"), page);
    return c.body(badgeSvg(c.req.valid("query").label, formatCount(total)), 200, {
      "content-type": "image/svg+xml; charset=utf-8",
      // Short, so a README badge stays roughly current without a request per image view.
      "cache-control": "public, max-age=60, s-maxage=60",
      // Embedded by other sites (README badges): the app-wide same-origin policy would block it.
      "cross-origin-resource-policy": "cross-origin",
      "content-security-policy": CSP.badge,
    });
  });
