import type { Hono } from "hono";
import { getPath } from "hono/utils/url";
import { type AppOptions, createBaseApp } from "./base-app.ts";
import type { AppEnv, Bindings } from "./env.ts";

// biome-ignore lint/suspicious/noExplicitAny: a route module's schema types do not matter here
type Routes = Hono<AppEnv, any, any>;
type RouteModule = (options: AppOptions) => Promise<Routes>;

// Each module is imported on first use: wrangler's bundler turns `import()` of a bundled file into
// a function that evaluates the module then, so a new isolate evaluates (and V8 compiles) only the
// modules its requests reach.
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

/** The route modules a path can reach, in mount order. */
export function modulesFor(path: string): RouteModule[] {
  const segments = path.split("/").slice(1);
  const prefix = segments[0] === "api" && segments.length > 1 ? `api/${segments[1]}` : (segments[0] ?? "");
  const modules = [...(MODULES_BY_PREFIX[prefix] ?? []), ...(segments.length === 1 ? [redirect] : [])];
  return modules.sort((a, b) => MOUNT_ORDER.indexOf(a) - MOUNT_ORDER.indexOf(b));
}

/**
 * The deployed Worker's app: createApp's middleware, documentation and routes, answering every
 * request exactly as createApp does, but built per group of route modules on the first request
 * that reaches the group. A new isolate so pays for the code its first request runs, not for all
 * of edgekit (docs/performance.md#cold-start). `AppType` stays createApp's type.
 */
export function createLazyApp(options: AppOptions = {}) {
  const apps = new Map<string, Promise<Routes>>();
  const appFor = (path: string): Promise<Routes> => {
    const modules = modulesFor(path);
    const id = modules.map((m) => MOUNT_ORDER.indexOf(m)).join(",");
    let app = apps.get(id);
    if (!app) {
      app = Promise.all(modules.map((load) => load(options))).then((routes) =>
        routes.reduce<Routes>((base, r) => base.route("/", r), createBaseApp(options)),
      );
      apps.set(id, app);
    }
    return app;
  };
  const fetch = async (request: Request, env?: Bindings, ctx?: ExecutionContext): Promise<Response> =>
    (await appFor(getPath(request))).fetch(request, env, ctx);
  /** Like Hono's `app.request`: a path or URL and RequestInit, for tests. */
  const request = (input: string | Request, init?: RequestInit, env?: Bindings, ctx?: ExecutionContext) => {
    const url = typeof input === "string" && !/^https?:\/\//.test(input) ? `http://localhost${input}` : input;
    return fetch(url instanceof Request && !init ? url : new Request(url, init), env, ctx);
  };
  return { fetch, request, appFor };
}
