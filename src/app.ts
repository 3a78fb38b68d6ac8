import { type AppOptions, createBaseApp } from "./base-app.ts";
import { jobs } from "./lib/jobs/handlers.ts";
import { adminRoutes } from "./routes/admin/index.ts";
import { cacheRoutes } from "./routes/cache.ts";
import { channelRoutes } from "./routes/channels.ts";
import { dedupRoutes } from "./routes/dedup.ts";
import { experimentRoutes } from "./routes/experiments.ts";
import { flagRoutes } from "./routes/flags.ts";
import { healthRoutes } from "./routes/health.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { keyRoutes } from "./routes/keys.ts";
import { leaderboardRoutes } from "./routes/leaderboards.ts";
import { linksRoutes } from "./routes/links/index.ts";
import { lockRoutes } from "./routes/locks.ts";
import { ofrepRoutes } from "./routes/ofrep.ts";
import { placesRoutes } from "./routes/places.ts";
import { presenceRoutes } from "./routes/presence.ts";
import { rateLimitRoutes } from "./routes/ratelimit.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { trendingRoutes } from "./routes/trending.ts";
import { viewsRoutes } from "./routes/views.ts";

export { type AppOptions, MAX_BODY_BYTES } from "./base-app.ts";

/** Builds the Worker's Hono app: the shared middleware and documentation, then every primitive's routes. */
export function createApp(options: AppOptions = {}) {
  // Chained so that AppType carries every route for Hono's `hc` client.
  // The links router goes last: its `/{slug}` redirect must not shadow any other route.
  return createBaseApp(options)
    .route("/", healthRoutes)
    .route("/", rateLimitRoutes)
    .route("/", sessionRoutes)
    .route("/", flagRoutes)
    .route("/", ofrepRoutes)
    .route("/", experimentRoutes)
    .route("/", viewsRoutes)
    .route("/", dedupRoutes)
    .route("/", lockRoutes)
    .route("/", leaderboardRoutes)
    .route("/", trendingRoutes)
    .route("/", placesRoutes)
    .route("/", jobRoutes(options.jobs ?? jobs))
    .route("/", keyRoutes)
    .route("/", channelRoutes)
    .route("/", presenceRoutes)
    .route("/", inboxRoutes)
    .route("/", cacheRoutes)
    .route("/", adminRoutes)
    .route("/", linksRoutes);
}

export type App = ReturnType<typeof createApp>;
