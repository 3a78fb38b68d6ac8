import type { Hono } from "hono";
import { getPath } from "hono/utils/url";
import { type AppOptions, createBaseApp } from "./base-app.ts";
import type { AppEnv, Bindings } from "./env.ts";

// biome-ignore lint/suspicious/noExplicitAny: a route module's schema types do not matter here
type Routes = Hono<AppEnv, any, any>;
type RouteModule = (options: AppOptions) => Promise<Routes>;

// Each module is imported on first use: wrangler's bundler turns `import()` of a bundled file into
// a function that evaluates the module then, so a new isolate evaluates only the modules its
// requests reach (their zod schemas, createRoute calls, router inserts). V8 still parses the whole
// bundle: docs/performance.md#cold-start has the measured split.
const health: RouteModule = () => import("./routes/health.ts").then((m) => m.healthRoutes);
const rateLimit: RouteModule = () => import("./routes/ratelimit.ts").then((m) => m.rateLimitRoutes);
const sessions: RouteModule = () => import("./routes/sessions.ts").then((m) => m.sessionRoutes);
const flags: RouteModule = () => import("./routes/flags.ts").then((m) => m.flagRoutes);
const ofrep: RouteModule = () => import("./routes/ofrep.ts").then((m) => m.ofrepRoutes);
const experiments: RouteModule = () => import("./routes/experiments.ts").then((m) => m.experimentRoutes);
const views: RouteModule = () => import("./routes/views.ts").then((m) => m.viewsRoutes);
const dedup: RouteModule = () => import("./routes/dedup.ts").then((m) => m.dedupRoutes);
const locks: RouteModule = () => import("./routes/locks.ts").then((m) => m.lockRoutes);
const leaderboards: RouteModule = () => import("./routes/leaderboards.ts").then((m) => m.leaderboardRoutes);
const trending: RouteModule = () => import("./routes/trending.ts").then((m) => m.trendingRoutes);
const places: RouteModule = () => import("./routes/places.ts").then((m) => m.placesRoutes);
const jobs: RouteModule = async (options) => {
  const [{ jobRoutes }, { jobs }] = await Promise.all([import("./routes/jobs.ts"), import("./lib/jobs/handlers.ts")]);
  return jobRoutes(options.jobs ?? jobs);
};
const keys: RouteModule = () => import("./routes/keys.ts").then((m) => m.keyRoutes);
const channels: RouteModule = () => import("./routes/channels.ts").then((m) => m.channelRoutes);
const presence: RouteModule = () => import("./routes/presence.ts").then((m) => m.presenceRoutes);
const inbox: RouteModule = () => import("./routes/inbox.ts").then((m) => m.inboxRoutes);
const cache: RouteModule = () => import("./routes/cache.ts").then((m) => m.cacheRoutes);
const admin: RouteModule = () => import("./routes/admin/index.ts").then((m) => m.adminRoutes);
const linkApi: RouteModule = () => import("./routes/links/api.ts").then((m) => m.linkApiRoutes);
const redirect: RouteModule = () => import("./routes/links/redirect.ts").then((m) => m.redirectRoutes);

/** Every module in createApp's order (src/app.ts), which decides between two modules' routes. */
const MOUNT_ORDER: RouteModule[] = [
  health,
  rateLimit,
  sessions,
  flags,
  ofrep,
  experiments,
  views,
  dedup,
  locks,
  leaderboards,
  trending,
  places,
  jobs,
  keys,
  channels,
  presence,
  inbox,
  cache,
  admin,
  linkApi,
  redirect,
];

/**
 * The modules whose routes can match a path, by its first segment (`/api/...` by its first two).
 * A single-segment path also reaches the `/{slug}` redirect, after them, as in createApp.
 * test/worker/reliability/lazy-app.test.ts checks this table against createApp's every route.
 */
const MODULES_BY_PREFIX: Record<string, RouteModule[]> = {
  healthz: [health],
  "api/ratelimit": [rateLimit],
  "api/sessions": [sessions],
  "api/users": [sessions, inbox],
  "api/flags": [flags],
  ofrep: [ofrep],
  "api/experiments": [experiments],
  "api/views": [views],
  "api/dedup": [dedup],
  "api/locks": [locks],
  "api/leaderboards": [leaderboards],
  "api/trending": [trending],
  "api/places": [places],
  "api/queues": [jobs],
  "api/jobs": [jobs],
  "api/keys": [keys],
  "api/channels": [channels],
  "api/events": [channels],
  "client.js": [channels],
  "api/presence": [presence],
  "api/notifications": [inbox],
  "api/cache": [cache],
  admin: [admin],
  "api/links": [linkApi],
};

/**
 * What decides a path's modules: its prefix when the table knows it ("" otherwise, so arbitrary
 * paths cannot grow the caches below), and a "/" after it unless the path is one segment.
 */
function groupKey(path: string): string {
  const segments = path.split("/", 3);
  const prefix = segments[1] === "api" && segments.length > 2 ? `api/${segments[2]}` : (segments[1] ?? "");
  const known = Object.hasOwn(MODULES_BY_PREFIX, prefix) ? prefix : "";
  return segments.length === 2 ? known : `${known}/`;
}

/** The route modules a path can reach, in mount order. */
export function modulesFor(path: string): RouteModule[] {
  const key = groupKey(path);
  const single = !key.endsWith("/");
  const modules = [...(MODULES_BY_PREFIX[single ? key : key.slice(0, -1)] ?? []), ...(single ? [redirect] : [])];
  return modules.sort((a, b) => MOUNT_ORDER.indexOf(a) - MOUNT_ORDER.indexOf(b));
}

/**
 * The deployed Worker's app: createApp's middleware, documentation and routes, answering every
 * request exactly as createApp does, but built per group of route modules on the first request
 * that reaches the group. A new isolate so pays for the code its first request runs, not for all
 * of edgekit (docs/performance.md#cold-start). `AppType` stays createApp's type.
 */
export function createLazyApp(options: AppOptions = {}) {
  // Two levels: a path's group key (one Map lookup per request, at most two keys per prefix), then
  // the app of its modules (/api/queues and /api/jobs share the jobs module's app).
  const byKey = new Map<string, Promise<Routes>>();
  const byModules = new Map<string, Promise<Routes>>();
  const appFor = (path: string): Promise<Routes> => {
    const key = groupKey(path);
    let app = byKey.get(key);
    if (!app) {
      const modules = modulesFor(path);
      const id = modules.map((m) => MOUNT_ORDER.indexOf(m)).join(",");
      app = byModules.get(id);
      if (!app) {
        app = Promise.all(modules.map((load) => load(options))).then((routes) =>
          routes.reduce<Routes>((base, r) => base.route("/", r), createBaseApp(options)),
        );
        byModules.set(id, app);
      }
      byKey.set(key, app);
    }
    return app;
  };
  const fetch = async (request: Request, env?: Bindings, ctx?: ExecutionContext): Promise<Response> =>
    (await appFor(getPath(request))).fetch(request, env, ctx);
  return { fetch, appFor };
}
