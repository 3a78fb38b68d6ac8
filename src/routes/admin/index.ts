import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../env.ts";
import { CSP } from "../../lib/content-security.ts";
import { loadSession, sameOriginOnly } from "../../middleware/session.ts";
import { authRoutes, requireDashboardSession } from "./auth.tsx";
import { cachePages } from "./cache.tsx";
import { experimentPages } from "./experiments.tsx";
import { flagPages } from "./flags.tsx";
import { formPostsOnly } from "./form.ts";
import { leaderboardPages } from "./leaderboards.tsx";
import { linkPages } from "./links.tsx";
import { placePages } from "./places.tsx";
import { queuePages } from "./queues.tsx";
import { rateLimitPages } from "./ratelimits.tsx";
import { realtimePages } from "./realtime.tsx";
import { DASHBOARD_SCRIPT } from "./script.ts";
import { sessionPages } from "./sessions.tsx";
import { trendingPages } from "./trending.tsx";
import { userPages } from "./users.tsx";
import { viewPages } from "./views.tsx";

/**
 * The admin dashboard: server-rendered HTML under /admin, signed in as a dashboard user, with an
 * API key or with the ADMIN_TOKEN (see src/lib/access/dashboard.ts).
 *
 * These routes are deliberately left out of /openapi.json: they are pages for a browser, not part
 * of the JSON API (which stays under /api with bearer tokens). Every POST is a same-origin form:
 * `sameOriginOnly` checks Origin / Sec-Fetch-Site (and refuses a post with neither), the session cookie is SameSite=Lax, and other body
 * types are refused. Mount before the links router, whose `/{slug}` would otherwise catch /admin.
 */
/**
 * Dashboard pages show admin data and carry per-session forms: no cache may keep them. Every
 * page, its not-found and error pages included, gets the dashboard's Content-Security-Policy.
 */
const noStore = createMiddleware<AppEnv>(async function noStore(c, next) {
  await next();
  c.header("cache-control", "no-store");
  if (c.res.headers.get("content-type")?.startsWith("text/html")) {
    c.header("content-security-policy", c.req.path === "/admin/realtime" ? CSP.realtimeDemo : CSP.dashboard);
  }
});

export const adminRoutes = new Hono<AppEnv>()
  // "/admin/*" matches "/admin" itself too.
  .use("/admin/*", noStore, formPostsOnly(), sameOriginOnly({ requireOrigin: true }), loadSession())
  .route("/", authRoutes)
  // The one gate of every page below, and of pages added later: signed in, and the role allows
  // this (viewers read, editors change primitives, admins also manage users and keys).
  .use("/admin/*", requireDashboardSession())
  .get("/admin", (c) => c.redirect("/admin/links", 303))
  .get("/admin/assets/dashboard.js", (c) =>
    c.body(DASHBOARD_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  )
  .route("/", linkPages)
  .route("/", flagPages)
  .route("/", experimentPages)
  .route("/", viewPages)
  .route("/", leaderboardPages)
  .route("/", trendingPages)
  .route("/", placePages)
  .route("/", queuePages)
  .route("/", sessionPages)
  .route("/", rateLimitPages)
  .route("/", userPages)
  .route("/", realtimePages)
  .route("/", cachePages);
