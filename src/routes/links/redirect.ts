import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { CSP } from "../../lib/content-security.ts";
import { AppError } from "../../lib/errors.ts";
import { followLink } from "../../lib/links/follow-link.ts";
import { SLUG_ROUTE_PATTERN } from "../../lib/links/slug.ts";
import { type UnlockOutcome, unlockLink } from "../../lib/links/unlock-link.ts";
import { problemResponse as problemBody } from "../../lib/problem.ts";
import { createRouter, problemSchema } from "../router.ts";
import { gonePage, notFoundPage, passwordPage } from "./pages.ts";

const slugParams = z.object({
  slug: z.string().openapi({ param: { name: "slug", in: "path" }, example: "aZ3kQ9x" }),
});

const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const htmlOrProblem = (description: string) => ({
  description: `${description} (problem+json when the client accepts only JSON)`,
  content: { "text/html": { schema: z.string() }, "application/problem+json": { schema: problemSchema } },
});
const redirectResponse = (description: string) => ({
  description,
  headers: z.object({ location: z.string(), "cache-control": z.string() }),
});

const redirectResponses = {
  301: redirectResponse("Redirect (links created with redirectStatus 301)"),
  302: redirectResponse("Redirect (the default), or to expiredUrl when the link is expired or out of clicks"),
  307: redirectResponse("Redirect (redirectStatus 307)"),
  308: redirectResponse("Redirect (redirectStatus 308)"),
  404: htmlOrProblem("No such link"),
  410: htmlOrProblem("Expired or out of clicks, and no expiredUrl"),
};

const followRoute = createRoute({
  method: "get",
  path: "/{slug}",
  summary: "Follow a short link",
  description:
    "One Redis round trip: expiry, max clicks, click counting. Password links answer a form. The pattern only matches slug characters, so /docs, /healthz and /openapi.json are never shadowed.",
  tags: ["links"],
  request: { params: slugParams },
  responses: { ...redirectResponses, 200: html("The password form of a protected link") },
});

const unlockRoute = createRoute({
  method: "post",
  path: "/{slug}",
  summary: "Submit the password of a protected link",
  tags: ["links"],
  request: {
    params: slugParams,
    body: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": { schema: z.object({ password: z.string().max(1024) }) },
      },
    },
  },
  responses: {
    ...redirectResponses,
    401: html("Wrong password: the form again, no click counted"),
    429: {
      description: "Over the per-address limit, or the link took too many wrong passwords lately (Retry-After)",
      content: { "application/problem+json": { schema: problemSchema } },
    },
  },
});

/** Clients that asked for JSON (and not for HTML) get problem+json instead of a page. */
function wantsJson(c: Context<AppEnv>): boolean {
  const accept = c.req.header("accept") ?? "";
  return /application\/(problem\+)?json/.test(accept) && !accept.includes("text/html");
}

function page(c: Context<AppEnv>, status: 200 | 401 | 404 | 410, body: string, problem?: AppError): Response {
  if (problem && wantsJson(c)) return problemBody(problem, c.req.path);
  return c.html(body, status, { "cache-control": "no-store", "content-security-policy": CSP.linkPage });
}

function respond(c: Context<AppEnv>, slug: string, outcome: UnlockOutcome): Response {
  const query = new URL(c.req.url).search;
  switch (outcome.kind) {
    case "redirect":
      c.header("cache-control", outcome.cacheControl);
      return c.redirect(outcome.location, outcome.status);
    case "gone":
      if (outcome.location) {
        c.header("cache-control", "no-store");
        return c.redirect(outcome.location, 302);
      }
      return page(c, 410, gonePage(outcome.reason), new AppError("gone", `The link "${slug}" is ${outcome.reason}.`));
    case "password":
      return page(c, 200, passwordPage(`/${slug}${query}`, false));
    case "wrong-password":
      return page(c, 401, passwordPage(`/${slug}${query}`, true));
    case "locked":
      throw new AppError(
        "quota_exceeded",
        `Too many wrong passwords for "${slug}" lately. Retry in ${outcome.retryAfter} s.`,
        { headers: { "retry-after": String(outcome.retryAfter) }, extensions: { policy: "link-password" } },
      );
    case "missing":
      return page(c, 404, notFoundPage(), new AppError("not_found", `There is no link "${slug}".`));
  }
}

/** The regex keeps the catch-all off every path that is not a slug (Hono: `/:slug{...}`). */
const routingPath = `/{slug{${SLUG_ROUTE_PATTERN}}}`;

const router = createRouter();
// Documented under the clean path; routed under the pattern (hidden, so it is not listed twice).
router.openAPIRegistry.registerPath(followRoute);
router.openAPIRegistry.registerPath(unlockRoute);

export const redirectRoutes = router
  .openapi({ ...followRoute, path: routingPath, hide: true }, async (c) => {
    const { slug } = c.req.valid("param");
    const [redis, config] = [c.get("redis"), c.get("config")];
    const client = clientInfo(c.req.raw);
    const query = new URL(c.req.url).search.slice(1);
    // Rate limit (#5): the check runs inside the redirect script, so the redirect stays one round
    // trip and a refused visitor counts no click (src/lib/ratelimit/limited-script.ts).
    const limit = await c.get("rateLimit").forScript();
    // HEAD (link scanners, previews) learns the same answer, but counts no click and spends no maxClicks.
    const peek = c.req.method === "HEAD";
    const outcome = await followLink(redis, config, { slug, now: c.get("clock").now(), client, query, limit, peek });
    return respond(c, slug, outcome) as never;
  })
  .openapi({ ...unlockRoute, path: routingPath, hide: true }, async (c) => {
    const { slug } = c.req.valid("param");
    const { password } = c.req.valid("form");
    const client = clientInfo(c.req.raw);
    const query = new URL(c.req.url).search.slice(1);
    const outcome = await unlockLink(c.get("redis"), c.get("config"), {
      slug,
      now: c.get("clock").now(),
      client,
      query,
      password,
    });
    return respond(c, slug, outcome) as never;
  });
