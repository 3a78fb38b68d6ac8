import { createApp } from "./app.ts";
import { type Bindings, loadConfig } from "./env.ts";
import { systemClock } from "./lib/clock.ts";
import { jobs } from "./lib/jobs/handlers.ts";
import { runTick } from "./lib/jobs/tick.ts";
import { createRedis } from "./lib/redis.ts";

export { EdgekitRpc } from "./rpc.ts";

const app = createApp();

/** The API's type, for Hono's `hc` client: `hc<AppType>("https://...")`. */
export type AppType = typeof app;

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.toml, every minute): pulls every queue (retries, delays, recovery). */
  async scheduled(_controller, env, _ctx) {
    const config = loadConfig(env);
    await runTick(createRedis(config), config, {
      clock: systemClock,
      handlers: jobs,
      budget: config.JOBS_DELIVERIES_PER_TICK,
    });
  },
} satisfies ExportedHandler<Bindings>;
