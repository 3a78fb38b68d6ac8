import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./helpers.ts";

let stack: Stack;
let redis: Redis;
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

beforeAll(async () => {
  stack = await startStack();
  redis = stack.client();
});
afterAll(() => stack.stop());

describe("Lua through the proxy", () => {
  it("runs EVAL, then EVALSHA of the same script, and answers NOSCRIPT for an unknown SHA", async () => {
    const script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(script, ["lua:n"], [2])).toBe(2);
    expect(await redis.evalsha(sha1(script), ["lua:n"], [3])).toBe(5);
    await expect(redis.evalsha(sha1("return 0"), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("falls back from EVALSHA to EVAL with the client's script helper", async () => {
    const script = redis.createScript<number>("return tonumber(ARGV[1]) * 2");
    expect(await script.exec([], ["21"])).toBe(42);
  });

  it("strips Upstash-only shebang flags and keeps the client's SHA working in one round trip", async () => {
    const text = "#!lua flags=allow-key-locking,no-writes\nreturn redis.call('GET', KEYS[1])";
    await redis.set("lua:k", "v");
    expect(await redis.eval(text, ["lua:k"], [])).toBe("v");
    const before = await stack.requests();
    expect(await redis.evalsha(sha1(text), ["lua:k"], [])).toBe("v");
    expect((await stack.requests()) - before).toBe(1);
  });

  it("answers SCRIPT LOAD and SCRIPT EXISTS in the client's SHAs", async () => {
    const text = "#!lua flags=allow-key-locking\nreturn 7";
    expect(await redis.scriptLoad(text)).toBe(sha1(text));
    expect(await redis.scriptExists(sha1(text), sha1("return 'never loaded'"))).toEqual([1, 0]);
    expect(await redis.evalsha(sha1(text), [], [])).toBe(7);
  });

  it("forgets rewritten scripts on SCRIPT FLUSH, so the client gets NOSCRIPT and re-sends the text", async () => {
    const text = "#!lua flags=allow-key-locking\nreturn 8";
    await redis.scriptLoad(text);
    await redis.scriptFlush();
    await expect(redis.evalsha(sha1(text), [], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.eval(text, [], [])).toBe(8);
  });

  it("serves the mapped SHA inside a transaction", async () => {
    const text = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
    await redis.eval(text, ["lua:tx"], []);
    const tx = redis.multi();
    tx.evalsha(sha1(text), ["lua:tx"], []).get("lua:tx");
    expect(await tx.exec()).toEqual([2, 2]);
  });

  it("lets @upstash/ratelimit work against stock Redis, one round trip per limit() after the first", async () => {
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, "10 s"), prefix: "lua:rl" });
    const first = await limiter.limit("user");
    expect(first.success).toBe(true);
    const before = await stack.requests();
    const rest = [];
    for (let i = 0; i < 3; i++) rest.push(await limiter.limit("user"));
    expect(rest.map((r) => r.success)).toEqual([true, true, false]);
    expect((await stack.requests()) - before).toBe(3);
  });

  it("also works for fixed windows and token buckets", async () => {
    const fixed = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(1, "10 s"), prefix: "lua:fw" });
    expect((await fixed.limit("a")).success).toBe(true);
    expect((await fixed.limit("a")).success).toBe(false);
    const bucket = new Ratelimit({ redis, limiter: Ratelimit.tokenBucket(1, "10 s", 1), prefix: "lua:tb" });
    expect((await bucket.limit("a")).success).toBe(true);
    expect((await bucket.limit("a")).success).toBe(false);
  });
});
