import type { TestProject } from "vitest/node";
import { startProxy } from "../../proxy/server.ts";
import { startRedisServer } from "../../scripts/redis-server.ts";

/**
 * Starts a throwaway redis-server and the proxy on free ports for the whole run, and stops them
 * afterwards, failed run or not (vitest calls the returned teardown in every case).
 */
export default async function setup(project: TestProject) {
  const redis = await startRedisServer();
  const restToken = "test-rest-token";
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    // Upstash-strict: a script that touches a key outside KEYS fails here as it would on Upstash.
    // INFO is allowed (tokens are refused it by default) because tests count the commands run
    // inside scripts with INFO commandstats.
    proxy = await startProxy({
      tokens: [{ token: restToken, redisUrl: redis.url }],
      port: 0,
      strict: true,
      allowCommands: ["INFO"],
    });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  project.provide("restUrl", proxy.url);
  project.provide("restToken", restToken);
  project.provide("adminToken", "test-admin-token-0123456789");
  project.provide("redisUrl", redis.url);
  return async () => {
    await proxy.close();
    await redis.stop();
  };
}
