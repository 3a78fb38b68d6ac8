import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { createRedis, cutOffRedis, defineScript } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips, testBindings } from "../support.ts";

// The app's client sends through src/lib/redis-transport.ts, which batches as @upstash/redis's
// auto-pipelining did: these pin the round trips each shape of concurrent calls costs.
const bindings = testBindings("redis-transport");
const config = loadConfig(bindings);
const key = (name: string) => `${config.KEY_PREFIX}${name}`;
afterAll(() => cleanup(config.KEY_PREFIX));

const incrBy = defineScript("#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])", (reply) =>
  Number(reply),
);
const readBack = defineScript("#!lua flags=no-writes,allow-key-locking\nreturn redis.call('GET', KEYS[1])", String);

describe("the app's Redis client", () => {
  it("sends the reads of one tick in one round trip, and the writes of that tick in another", async () => {
    const redis = createRedis(config);
    await redis.set(key("a"), "1");
    const reads = await countRoundTrips(() =>
      Promise.all([redis.get(key("a")), redis.get(key("b")), redis.exists(key("a"))]),
    );
    expect(reads).toEqual({ result: ["1", null, 1], roundTrips: 1 });
    const mixed = await countRoundTrips(() =>
      Promise.all([redis.get(key("a")), redis.incr(key("c")), redis.incr(key("c"))]),
    );
    expect(mixed).toEqual({ result: ["1", 1, 2], roundTrips: 2 });
  });

  it("batches a script with the commands of its tick, and a read-only script with the reads", async () => {
    const redis = createRedis(config);
    await readBack.run(redis, [key("warm")], []); // the scripts' hashes are computed once, before counting
    await incrBy.run(redis, [key("warm")], [1]);
    const writes = await countRoundTrips(() =>
      Promise.all([incrBy.run(redis, [key("s")], [5]), redis.incr(key("s")), incrBy.run(redis, [key("s")], [10])]),
    );
    // The scripts wait for their hash (a microtask), so the INCR is queued, and run, first.
    expect(writes).toEqual({ result: [6, 1, 16], roundTrips: 1 });
    const reads = await countRoundTrips(() => Promise.all([readBack.run(redis, [key("s")], []), redis.get(key("s"))]));
    expect(reads).toEqual({ result: ["16", "16"], roundTrips: 1 });
  });

  it("sends a whole-collection read on its own, as the library did (raw reply: no deserialization)", async () => {
    const redis = createRedis(config);
    await redis.hset(key("h"), { f: "v" });
    const trips = await countRoundTrips(() => Promise.all([redis.hgetall(key("h")), redis.get(key("a"))]));
    expect(trips).toEqual({ result: [["f", "v"], "1"], roundTrips: 2 });
  });

  it("fails only the command Redis refused in a batch, with the library's message", async () => {
    const redis = createRedis(config);
    await redis.set(key("text"), "not a number");
    const [refused, fine] = await Promise.allSettled([redis.incr(key("text")), redis.incr(key("n"))]);
    expect(refused.status === "rejected" && (refused.reason as Error).message).toMatch(
      /^Command failed: ERR value is not an integer/,
    );
    expect(fine).toEqual({ status: "fulfilled", value: 1 });
  });

  it("keeps an explicit pipeline one round trip of its own", async () => {
    const redis = createRedis(config);
    const trips = await countRoundTrips(() => redis.pipeline().incr(key("p")).incr(key("p")).exec());
    expect(trips).toEqual({ result: [1, 2], roundTrips: 1 });
  });

  it("fails every later command at once after cutOffRedis, without a round trip", async () => {
    const redis = createRedis(config);
    cutOffRedis(redis);
    const trips = await countRoundTrips(() =>
      Promise.allSettled([redis.get(key("a")), incrBy.run(redis, [key("s")], [1])]),
    );
    expect(trips.roundTrips).toBe(0);
    expect(trips.result.map((r) => r.status === "rejected" && (r.reason as Error).name)).toEqual([
      "TimeoutError",
      "TimeoutError",
    ]);
  });
});
