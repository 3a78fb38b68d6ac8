import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Two projects share one throwaway redis-server + proxy started by the global setup:
 * - "worker": tests run inside workerd (the real Workers runtime) with the proxy's URL as bindings.
 * - "node": the proxy and the scripts, in Node.
 */
export default defineConfig({
  test: {
    globalSetup: ["./test/setup/global.ts", "./test/setup/receiver.ts", "./test/setup/origin.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                UPSTASH_REDIS_REST_URL: inject("restUrl"),
                UPSTASH_REDIS_REST_TOKEN: inject("restToken"),
                ADMIN_TOKEN: inject("adminToken"),
                HASH_SECRET: "test-hash-secret-0123456789",
                // The jobs tests deliver webhooks to a receiver on 127.0.0.1.
                JOBS_ALLOW_PRIVATE_TARGETS: "true",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Files run one at a time so that the proxy's request counter, which tests read to count
          // round trips, only sees the file being run. Each file still owns its own key prefix.
          fileParallelism: false,
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
