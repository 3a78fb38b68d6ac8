import type { createApp } from "./app.ts";
import { type Bindings, loadConfig } from "./env.ts";
import { createLazyApp } from "./lazy-app.ts";
import { systemClock } from "./lib/clock.ts";
import { createRedis } from "./lib/redis.ts";

export { EdgekitRpc } from "./rpc.ts";

// createApp's routes, each group built on the first request that reaches it (src/lazy-app.ts).
const app = createLazyApp();

/** The API's type, for Hono's `hc` client: `hc<AppType>("https://...")`. */
export type AppType = ReturnType<typeof createApp>;

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.toml, every minute): pulls every queue (retries, delays, recovery). */
  async scheduled(_controller, env, _ctx) {
    const config = loadConfig(env);
    // Imported here, as routes are: an isolate started for HTTP does not load the queue runner.
    const [{ runTick }, { jobs }] = await Promise.all([import("./lib/jobs/tick.ts"), import("./lib/jobs/handlers.ts")]);
    await runTick(createRedis(config), config, {
      clock: systemClock,
      handlers: jobs,
      budget: config.JOBS_DELIVERIES_PER_TICK,
    });
  },
} satisfies ExportedHandler<Bindings>;
