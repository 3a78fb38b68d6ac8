export type { ProxyOptions, ProxyToken, RunningProxy } from "./options.ts";
export { startProxy } from "./server.ts";
