import { swaggerUI } from "@hono/swagger-ui";
import { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./env.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import type { JobHandlers } from "./lib/jobs/handlers.ts";
import { memoRouter } from "./lib/memo-router.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { gateway, gatewayMatch } from "./middleware/gateway.ts";
import { idempotency } from "./middleware/idempotency.ts";
import { notFound, onError } from "./middleware/problems.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import { requestIds } from "./middleware/request-id.ts";
import { requireJson } from "./middleware/require-json.ts";
import { serveOpenApi } from "./openapi.ts";

export interface AppOptions {
  /** The clock lib code reads; tests pass a manual one. */
  clock?: Clock;
  /** The app's own job types (`jobs.on("send-email", ...)`); defaults to the shared registry. */
  jobs?: JobHandlers;
}

/** Largest request body accepted anywhere (a bulk of 100 links fits comfortably). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The app before the primitives' routes: the middleware every request passes, the documentation,
 * the error and 404 handlers. createApp (src/app.ts) mounts every route on it; the deployed Worker
 * mounts only the routes a request can reach (src/lazy-app.ts).
 */
export function createBaseApp(options: AppOptions = {}) {
  // Hot paths skip the route table's TrieRouter search for paths seen lately (src/lib/memo-router.ts).
  const app = new OpenAPIHono<AppEnv>({ router: memoRouter() });

  app.use(requestIds());
  // A handler may set one of these itself (the badge: Cross-Origin-Resource-Policy: cross-origin).
  app.use(secureHeaders({ overwrite: false }));
  app.onError(onError);
  app.notFound(notFound);

  // Documentation needs no configuration, so it is served before the config is checked.
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "An API key (`ek_...`) holding the operation's scope (listed in its security requirement), or the ADMIN_TOKEN, which holds every scope. See docs/access.md.",
  });
  serveOpenApi(app);
  app.get("/docs", swaggerUI({ url: "/openapi.json", title: "edgekit API" }));

  app.use(requestContext(options.clock ?? systemClock));
  // Before anything reads the body, so a blocked client is refused first; after requestContext,
  // whose config it needs. Every later error (413, 415, 422, 404...) gets the RateLimit headers.
  // The gateway (GATEWAY_ROUTES): matched before the rate limit, which applies the route's policy;
  // served before the body limit, so request bodies stream to the origin.
  app.use(gatewayMatch());
  app.use(rateLimit());
  app.use(gateway());
  app.use(limitBody(MAX_BODY_BYTES));
  app.use("/api/*", requireJson());
  // After the body limit and the JSON check (their refusals are not stored), before the routes.
  app.use("/api/*", idempotency());
  return app;
}
