import { createApp } from "./app.ts";

const app = createApp();

/** The API's type, for Hono's `hc` client: `hc<AppType>("https://...")`. */
export type AppType = typeof app;

export default app;
