import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The tests run inside workerd against a real Redis through an Upstash-compatible endpoint:
// `npx edgekit-proxy --token dev-token` in front of `redis-server`, or any URL and token given here.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL ?? "http://127.0.0.1:8079",
          UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN ?? "dev-token",
          HASH_SECRET: "example-hash-secret-0123456789",
          RATE_LIMIT: "5",
        },
      },
    }),
  ],
  test: { testTimeout: 20_000 },
});
