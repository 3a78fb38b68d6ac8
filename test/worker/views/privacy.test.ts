import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { countView } from "../../../src/lib/views/count-view.ts";
import { cleanup, keysWithPrefix, redisCommand, testApp } from "../support.ts";
import { BOT_UA, HUMAN_UA, ipOf, libContext, todayAt, view } from "./helpers.ts";

const clock = manualClock(todayAt(8));
const t = testApp("views-privacy", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Every value under the prefix, read by type; binary HLL registers come back as (lossy) text. */
async function dumpAll(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await keysWithPrefix(prefix)) {
    out.push(key);
    const type = await redisCommand<string>("TYPE", key);
    if (type === "string") out.push(String(await redisCommand("GET", key)));
    else if (type === "zset") out.push(JSON.stringify(await redisCommand("ZRANGE", key, 0, -1, "WITHSCORES")));
    else if (type === "hash") out.push(JSON.stringify(await redisCommand("HGETALL", key)));
    else if (type === "set") out.push(JSON.stringify(await redisCommand("SMEMBERS", key)));
    else if (type === "list") out.push(JSON.stringify(await redisCommand("LRANGE", key, 0, -1)));
    else out.push(`unexpected type ${type}`);
  }
  return out;
}

describe("privacy", () => {
  it("writes no IP address or user agent to any views key or value", async () => {
    const ips = [ipOf(4242), "203.0.113.77", "2001:db8::1"];
    for (const ip of ips) {
      await view(t, "private", { ip });
      await view(t, "private", { ip, ua: BOT_UA });
      const url = `/api/views?url=${encodeURIComponent("https://example.com/p")}`;
      await t.request(url, { method: "POST", headers: { "cf-connecting-ip": ip, "user-agent": HUMAN_UA } });
    }
    // Every key the requests wrote: the views primitive's (`view:`, `views:`) and the rate-limit
    // keys, which name a client by an HMAC of its address (issue #12), never the address.
    const dump = await dumpAll(`${t.bindings.KEY_PREFIX}edgekit:`);
    expect(dump.length).toBeGreaterThan(10);
    expect(dump.some((v) => v.includes("unexpected type"))).toBe(false);
    for (const value of dump) {
      for (const ip of ips) expect(value).not.toContain(ip);
      expect(value).not.toContain("Chrome/130");
      expect(value).not.toContain("Googlebot");
    }
  });
});

describe("uniques", () => {
  it("estimates 10,000 synthetic visitors within 2%", async () => {
    const { config, redis } = libContext(t);
    const now = clock.now();
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          countView(redis, config, {
            page: "crowd",
            client: { ip: ipOf(batch * 1000 + i), userAgent: HUMAN_UA, bot: false },
            now,
          }),
        ),
      );
    }
    const last = await countView(redis, config, {
      page: "crowd",
      client: { ip: ipOf(0), userAgent: HUMAN_UA, bot: false },
      now,
    });
    expect(last).toMatchObject({ views: 10_000, counted: false });
    expect(Math.abs(last.uniquesToday - 10_000) / 10_000).toBeLessThan(0.02);
  });
});
