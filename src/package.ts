/**
 * `edgekit`, the package's main entry: the Worker (its default export, to re-export or wrap),
 * `createApp` to mount edgekit's routes inside another Hono app, `AppType` for Hono's `hc` client,
 * and the `EdgekitRpc` entrypoint's type for a service binding (`Service<EdgekitRpc>`).
 * Middleware for your own routes is `edgekit/hono`; the local Redis proxy is `edgekit/proxy`.
 */
export { createApp } from "./app.ts";
export type { Bindings, Config } from "./env.ts";
export { type AppType, default } from "./index.ts";
export { EdgekitRpc, type EnqueueResult, type LimitResult, type Visitor } from "./rpc.ts";
