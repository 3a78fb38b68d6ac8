import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import {
  cached,
  cachedWithOutcome,
  invalidateAll,
  invalidateKey,
  invalidateTag,
} from "../../../src/lib/cache/index.ts";
import { namespace } from "../../../src/lib/keys.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, jsonHeaders, redisCommand, testBindings } from "../support.ts";
import { gatewayApp, ORIGIN, originBucket } from "./helpers.ts";

const config = loadConfig(testBindings("cache-flush"));
const prefix = namespace(config);
const t = gatewayApp("flush", [{ path: "/s/*", origin: ORIGIN, cache: true }]);
afterAll(async () => {
  await cleanup(config.KEY_PREFIX);
  await cleanup(t.bindings.KEY_PREFIX ?? "");
});

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

describe("every cache script after SCRIPT FLUSH", () => {
  it("runs lookup, commit, fail, purge-key, invalidate-tag and sweep through the EVAL fallback", async () => {
    const redis = createRedis(config);
    const opts = { ttl: 60_000, tags: ["flush"], prefix, errorBackoffMs: 1 };
    await flush(); // lookup + commit
    expect(await cached(redis, "k", async () => "v", opts)).toBe("v");
    await flush(); // lookup (hit)
    expect(await cachedWithOutcome(redis, "k", async () => "x", opts)).toEqual({ value: "v", outcome: "hit" });
    await flush(); // invalidate-tag + sweep
    expect(await invalidateTag(redis, "flush", { prefix, mode: "hard" })).toBe(1);
    await flush(); // lookup + fail
    await expect(cached(redis, "down", async () => Promise.reject(new Error("x")), opts)).rejects.toThrow("x");
    await flush(); // purge-key
    expect(await invalidateKey(redis, "k", { prefix })).toBe(false);
    await invalidateAll(redis, { prefix });
  });

  it("serves the gateway (lookup, commit, purge) through the EVAL fallback", async () => {
    const b = originBucket("flush");
    await b.program([], { headers: { "cache-control": "max-age=60", "cache-tag": "ft" }, body: "g" });
    await flush();
    expect((await t.request(`/s/${b.id}`)).headers.get("cache-status")).toMatch(/stored/);
    await flush();
    expect((await t.request(`/s/${b.id}`)).headers.get("cache-status")).toMatch(/^edgekit; hit/);
    await flush();
    const purged = await t.request("/api/cache/purge", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ tags: ["ft"], mode: "hard" }),
    });
    expect(await purged.json()).toMatchObject({ purged: 1 });
  });
});
