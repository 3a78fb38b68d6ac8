import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./helpers.ts";

let stack: Stack;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack();
  redis = stack.client();
});
afterAll(() => stack.stop());

describe("the proxy serves @upstash/redis", () => {
  it("sets and gets strings with options, counters and expiry", async () => {
    expect(await redis.set("s:name", "edgekit", { ex: 100 })).toBe("OK");
    expect(await redis.get("s:name")).toBe("edgekit");
    expect(await redis.ttl("s:name")).toBeGreaterThan(90);
    expect(await redis.incrby("s:count", 5)).toBe(5);
    expect(await redis.incrbyfloat("s:float", 1.5)).toBe(1.5);
    expect(await redis.set("s:name", "other", { nx: true })).toBeNull();
    expect(await redis.mget("s:name", "s:missing")).toEqual(["edgekit", null]);
  });

  it("stores and reads objects as JSON", async () => {
    await redis.set("s:obj", { a: 1, b: ["x"] });
    expect(await redis.get("s:obj")).toEqual({ a: 1, b: ["x"] });
  });

  it("works with hashes", async () => {
    expect(await redis.hset("h:1", { a: "1", b: "two" })).toBe(2);
    expect(await redis.hget("h:1", "b")).toBe("two");
    expect(await redis.hgetall("h:1")).toEqual({ a: 1, b: "two" });
    expect(await redis.hincrby("h:1", "a", 2)).toBe(3);
    expect(await redis.hkeys("h:1")).toEqual(["a", "b"]);
  });

  it("works with lists", async () => {
    expect(await redis.rpush("l:1", "a", "b", "c")).toBe(3);
    expect(await redis.lrange("l:1", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await redis.lpop("l:1")).toBe("a");
    expect(await redis.llen("l:1")).toBe(2);
  });

  it("works with sets", async () => {
    expect(await redis.sadd("set:1", "a", "b", "c")).toBe(3);
    expect(await redis.sismember("set:1", "b")).toBe(1);
    expect((await redis.smembers("set:1")).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.scard("set:1")).toBe(3);
  });

  it("works with sorted sets and their scores", async () => {
    await redis.zadd("z:1", { score: 1, member: "one" }, { score: 2.5, member: "two" });
    expect(await redis.zrange("z:1", 0, -1, { withScores: true })).toEqual(["one", 1, "two", 2.5]);
    expect(await redis.zscore("z:1", "two")).toBe(2.5);
    expect(await redis.zincrby("z:1", 1, "one")).toBe(2);
    expect(await redis.zrange("z:1", 0, 0, { rev: true })).toEqual(["two"]);
  });

  it("works with streams", async () => {
    const id = await redis.xadd("x:1", "*", { field: "value" });
    expect(id).toMatch(/^\d+-\d+$/);
    expect(await redis.xlen("x:1")).toBe(1);
    const entries = await redis.xrange("x:1", "-", "+");
    expect(entries).toEqual({ [id]: { field: "value" } });
  });

  it("works with geo", async () => {
    await redis.geoadd("g:1", { longitude: 13.361389, latitude: 38.115556, member: "Palermo" });
    await redis.geoadd("g:1", { longitude: 15.087269, latitude: 37.502669, member: "Catania" });
    expect(Math.round(Number(await redis.geodist("g:1", "Palermo", "Catania", "KM")))).toBe(166);
    const found = await redis.geosearch(
      "g:1",
      { type: "FROMMEMBER", member: "Palermo" },
      { type: "BYRADIUS", radius: 200, radiusType: "KM" },
      "ASC",
    );
    expect(found.map((m) => m.member)).toEqual(["Palermo", "Catania"]);
  });

  it("works with HyperLogLog", async () => {
    await redis.pfadd("hll:1", "a", "b", "c", "a");
    expect(await redis.pfcount("hll:1")).toBe(3);
  });

  it("works with bitmaps", async () => {
    await redis.setbit("b:1", 7, 1);
    expect(await redis.getbit("b:1", 7)).toBe(1);
    expect(await redis.bitcount("b:1", 0, -1)).toBe(1);
  });

  it("runs a pipeline in one request, with an error kept per item", async () => {
    const before = await stack.requests();
    const p = redis.pipeline();
    p.set("p:a", "1").incr("p:a").lpush("p:a", "x").get("p:a");
    const results = await p.exec({ keepErrors: true });
    expect(results.map((r) => r.result ?? r.error)).toEqual([
      "OK",
      2,
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      2,
    ]);
    expect((await stack.requests()) - before).toBe(1);
  });

  it("runs a transaction atomically through /multi-exec", async () => {
    const tx = redis.multi();
    tx.set("t:a", "1").incr("t:a").get("t:a");
    expect(await tx.exec()).toEqual(["OK", 2, 2]);
  });

  it("round-trips unicode and binary-looking values with and without base64", async () => {
    const values = [
      "héllo wörld ✓",
      "🚀 emoji",
      "T0s=",
      "OK",
      "nul",
      "\u0000\u0001\u00ff",
      "line\nbreak",
      "  spaced  ",
    ];
    for (const base64 of [true, false]) {
      const client = stack.client({ base64 });
      for (const [i, value] of values.entries()) {
        await client.set(`u:${base64}:${i}`, value);
        expect(await client.get(`u:${base64}:${i}`)).toBe(value);
      }
    }
  });

  it("encodes bulk strings in base64 at every depth and leaves numbers, null and OK plain", async () => {
    await stack.post("/", ["RPUSH", "enc:l", "hé", "1"]);
    const res = await stack.post(
      "/pipeline",
      [
        ["SET", "enc:s", "v"],
        ["LRANGE", "enc:l", 0, -1],
        ["GET", "enc:none"],
        ["LLEN", "enc:l"],
      ],
      {
        "upstash-encoding": "base64",
      },
    );
    expect(await res.json()).toEqual([
      { result: "OK" },
      { result: [Buffer.from("hé").toString("base64"), Buffer.from("1").toString("base64")] },
      { result: null },
      { result: 2 },
    ]);
  });
});
