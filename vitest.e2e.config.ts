import { defineConfig } from "vitest/config";

/**
 * `npm run test:e2e`: the dashboard in a real browser (Debian's chromium driven by playwright-core)
 * against the real Worker in workerd (Miniflare), the proxy and a throwaway redis-server, all
 * started by the test itself (bench/stack.ts). Kept apart from `npm test`: it needs chromium.
 */
export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
