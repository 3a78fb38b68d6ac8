import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { OPENAPI_DOCUMENT } from "./openapi-document.ts";
import { withIdempotency } from "./routes/idempotency-doc.ts";

/** The document's header; the paths and schemas come from the routes' own zod schemas. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "edgekit",
    version: "0.1.0",
    description:
      "Redis-backed web primitives on Cloudflare Workers: links, rate limits, sessions, feature flags, experiments, views, dedup, locks, idempotency, leaderboards, trending, places, jobs and webhooks, real-time channels, presence and inboxes, the edge cache and gateway, and API keys.",
  },
} as const;

/**
 * The document the routes' schemas produce, plus the `Idempotency-Key` header every unsafe `/api`
 * route takes (added by middleware, so no route declares it). What `npm run openapi` stores.
 */
export function liveOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  return withIdempotency(app.getOpenAPI31Document(OPENAPI_CONFIG));
}

/**
 * Serves `/openapi.json`: the document the routes' schemas produce
 * (`liveOpenApiDocument(app)`), generated ahead of time by `npm run openapi` into
 * openapi-document.ts. Generating it costs a fresh isolate 60 to 100 ms of zod-to-openapi on its
 * first request; the text costs nothing. test/worker/reliability/openapi-document.test.ts fails when
 * the routes and the stored text disagree, so the document stays exactly what the schemas say.
 */
export function serveOpenApi(app: OpenAPIHono<AppEnv>): void {
  app.get("/openapi.json", (c) => c.body(OPENAPI_DOCUMENT, 200, { "content-type": "application/json" }));
}
