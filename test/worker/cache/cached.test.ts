import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import {
  CacheBackoffError,
  CacheEntryTooLargeError,
  cached,
  cachedWithOutcome,
  invalidateAll,
  invalidateTag,
} from "../../../src/lib/cache/index.ts";
import { hashId, namespaceKeys } from "../../../src/lib/cache/keys.ts";
import { namespace } from "../../../src/lib/keys.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips, redisCommand, testBindings } from "../support.ts";

const bindings = testBindings("cache-core", { REDIS_TIMEOUT_MS: "10000" });
const config = loadConfig(bindings);
const prefix = namespace(config);
afterAll(() => cleanup(config.KEY_PREFIX));

const redis = () => createRedis(config);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let clock = Date.now();
const now = () => clock;

describe("cached()", () => {
  it("fills a miss once, then serves hits in one round trip", async () => {
    let calls = 0;
    const opts = { ttl: 60_000, prefix, now };
    const first = await cachedWithOutcome(redis(), "a", async () => ++calls, opts);
    expect(first).toEqual({ value: 1, outcome: "miss" });
    const { result, roundTrips } = await countRoundTrips(() =>
      cachedWithOutcome(redis(), "a", async () => ++calls, opts),
    );
    expect(result).toEqual({ value: 1, outcome: "hit" });
    expect(roundTrips).toBe(1);
    expect(calls).toBe(1);
  });

  it("makes exactly one fetch for 200 concurrent cold callers", async () => {
    let calls = 0;
    const fetcher = async () => {
      calls++;
      await sleep(200);
      return "filled";
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        cachedWithOutcome(redis(), "cold", fetcher, { ttl: 60_000, prefix, now, waitMs: 15_000 }),
      ),
    );
    expect(calls).toBe(1);
    expect(results.every((r) => r.value === "filled")).toBe(true);
    expect(results.filter((r) => r.outcome === "miss")).toHaveLength(1);
  });

  it("serves stale while exactly one refresh runs", async () => {
    let calls = 0;
    const background: Promise<unknown>[] = [];
    const opts = {
      ttl: 1000,
      staleWhileRevalidate: 60_000,
      prefix,
      now,
      waitUntil: (p: Promise<unknown>) => background.push(p),
    };
    const fetcher = async () => {
      calls++;
      await sleep(100);
      return `v${calls}`;
    };
    await cached(redis(), "swr", fetcher, opts);
    clock += 2000;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cachedWithOutcome(redis(), "swr", fetcher, opts)),
    );
    expect(results.every((r) => r.value === "v1" && r.outcome === "stale")).toBe(true);
    await Promise.all(background);
    expect(calls).toBe(2);
    expect(await cached(redis(), "swr", fetcher, opts)).toBe("v2");
  });

  it("serves stale on error and tries the fetcher at most once per backoff window", async () => {
    let calls = 0;
    let failing = false;
    const opts = { ttl: 1000, staleIfError: 600_000, errorBackoffMs: 10_000, prefix, now };
    const fetcher = async () => {
      calls++;
      if (failing) throw new Error("origin down");
      return "good";
    };
    await cached(redis(), "sie", fetcher, opts);
    failing = true;
    const served: string[] = [];
    // Ten minutes of requests, one every 500 ms: at most one attempt per 10 s window.
    for (let i = 0; i < 60; i++) {
      clock += 10_000 / 20;
      const rs = await Promise.all([1, 2, 3].map(() => cached(redis(), "sie", fetcher, opts)));
      served.push(...(rs as string[]));
    }
    expect(served.every((v) => v === "good")).toBe(true);
    // 30 s of simulated time, a 10 s backoff: the first failure, then at most one per window.
    expect(calls - 1).toBeGreaterThanOrEqual(2);
    expect(calls - 1).toBeLessThanOrEqual(4);
  });

  it("refreshes a hot key early (XFetch) in waitUntil, still answering a hit", async () => {
    let calls = 0;
    const background: Promise<unknown>[] = [];
    const fetcher = async () => {
      calls++;
      clock += 100; // the fill takes 100 ms: XFetch's delta
      return `x${calls}`;
    };
    const opts = { ttl: 10_000, beta: 1000, prefix, now, waitUntil: (p: Promise<unknown>) => background.push(p) };
    await cached(redis(), "xfetch", fetcher, opts);
    // Far from expiry with beta 0: never early.
    clock += 1000;
    expect(await cachedWithOutcome(redis(), "xfetch", fetcher, { ...opts, beta: 0 })).toEqual({
      value: "x1",
      outcome: "hit",
    });
    // 100 ms before expiry with a huge beta: certainly early.
    clock += 8800;
    expect(await cachedWithOutcome(redis(), "xfetch", fetcher, opts)).toEqual({ value: "x1", outcome: "hit" });
    await Promise.all(background);
    expect(calls).toBe(2);
    expect(await cached(redis(), "xfetch", fetcher, { ...opts, beta: 0 })).toBe("x2");
  });

  it("does not retry a cold key in backoff", async () => {
    let calls = 0;
    const opts = { ttl: 1000, errorBackoffMs: 60_000, prefix, now };
    const fetcher = async () => {
      calls++;
      throw new Error("down");
    };
    await expect(cached(redis(), "cold-down", fetcher, opts)).rejects.toThrow("down");
    await expect(cached(redis(), "cold-down", fetcher, opts)).rejects.toBeInstanceOf(CacheBackoffError);
    expect(calls).toBe(1);
  });

  it("never commits a fill that started before a tag purge", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const opts = { ttl: 60_000, tags: ["product:1"], prefix, now };
    const inFlight = cached(
      redis(),
      "fenced",
      async () => {
        await gate;
        return "old";
      },
      opts,
    );
    await sleep(50);
    await invalidateTag(redis(), "product:1", { prefix, mode: "hard", now: clock });
    release();
    expect(await inFlight).toBe("old"); // its own caller gets it, but it is not stored
    expect(await cached(redis(), "fenced", async () => "new", opts)).toBe("new");
  });

  it("soft-purges a tag (stale served while refreshing) and hard-purges it", async () => {
    const opts = { ttl: 60_000, staleWhileRevalidate: 60_000, tags: ["t-soft"], prefix, now };
    await cached(redis(), "soft-1", async () => "one", opts);
    await cached(redis(), "soft-2", async () => "two", opts);
    expect(await invalidateTag(redis(), "t-soft", { prefix, now: clock })).toBe(2);
    const stale = await cachedWithOutcome(redis(), "soft-1", async () => "one!", opts);
    expect(stale).toEqual({ value: "one", outcome: "stale" });
    expect(await invalidateTag(redis(), "t-soft", { prefix, mode: "hard", now: clock })).toBe(2);
    expect(await cachedWithOutcome(redis(), "soft-2", async () => "two!", opts)).toEqual({
      value: "two!",
      outcome: "miss",
    });
  });

  it("leaves an entry out of a purge of a tag its refill dropped", async () => {
    const base = { ttl: 1000, staleIfError: 600_000, prefix, now };
    await cached(redis(), "retag", async () => "v1", { ...base, tags: ["rt-a", "rt-b"] });
    clock += 2000;
    const refill = await cachedWithOutcome(redis(), "retag", async () => "v2", { ...base, tags: ["rt-b", "rt-c"] });
    expect(refill).toEqual({ value: "v2", outcome: "miss" });
    expect(await invalidateTag(redis(), "rt-a", { prefix, mode: "hard", now: clock })).toBe(0);
    const opts = { ...base, tags: ["rt-b", "rt-c"] };
    expect(await cachedWithOutcome(redis(), "retag", async () => "v3", opts)).toEqual({ value: "v2", outcome: "hit" });
    expect(await invalidateTag(redis(), "rt-c", { prefix, mode: "hard", now: clock })).toBe(1);
    expect(await cachedWithOutcome(redis(), "retag", async () => "v3", opts)).toEqual({ value: "v3", outcome: "miss" });
  });

  it("only unindexes an entry a tag's index still lists when the entry no longer carries the tag", async () => {
    const opts = { ttl: 60_000, tags: ["guard-a"], prefix, now };
    await cached(redis(), "guard", async () => "kept", opts);
    // A member the commit could not prune (say, a Vary'd refill under another id).
    const keys = namespaceKeys(prefix, "default");
    const index = keys.tagIndex(await hashId("guard-b"));
    const id = await hashId("guard");
    await redisCommand("ZADD", index, clock + 600_000, id);
    expect(await invalidateTag(redis(), "guard-b", { prefix, mode: "hard", now: clock })).toBe(0);
    expect(await redisCommand("ZSCORE", index, id)).toBeNull();
    expect(await cachedWithOutcome(redis(), "guard", async () => "new", opts)).toEqual({
      value: "kept",
      outcome: "hit",
    });
  });

  it("purges everything in O(1) and caches a negative answer", async () => {
    const opts = { ttl: 60_000, negative: 30_000, prefix, now, namespace: "neg" };
    let calls = 0;
    const fetcher = async () => {
      calls++;
      return undefined;
    };
    expect(await cached(redis(), "missing", fetcher, opts)).toBeUndefined();
    expect(await cachedWithOutcome(redis(), "missing", fetcher, opts)).toEqual({ value: undefined, outcome: "hit" });
    expect(calls).toBe(1);
    await invalidateAll(redis(), { prefix, namespace: "neg" });
    await cached(redis(), "missing", fetcher, opts);
    expect(calls).toBe(2);
  });

  it("throws, loudly, for a value over maxBytes, and stores nothing", async () => {
    const opts = { ttl: 60_000, prefix, now, maxBytes: 100 };
    await expect(cached(redis(), "big", async () => "x".repeat(200), opts)).rejects.toBeInstanceOf(
      CacheEntryTooLargeError,
    );
    expect(await cached(redis(), "big", async () => "small", opts)).toBe("small");
  });

  it("refuses milliseconds that are not numbers, and too many tags", async () => {
    await expect(cached(redis(), "x", async () => 1, { ttl: Number.NaN, prefix })).rejects.toThrow(/ttl/);
    await expect(
      cached(redis(), "x", async () => 1, { ttl: 1, prefix, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }),
    ).rejects.toThrow(/tags/);
  });
});
