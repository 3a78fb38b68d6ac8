import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { AppError } from "../../../src/lib/errors.ts";
import type { LimitOutcome } from "../../../src/lib/ratelimit/check-limit.ts";
import { getQuota } from "../../../src/lib/ratelimit/get-quota.ts";
import { ipIdentifier } from "../../../src/lib/ratelimit/ip-identifier.ts";
import { limitedScript, scriptLimit } from "../../../src/lib/ratelimit/limited-script.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips, redisCommand, testBindings } from "../support.ts";
import countSource from "./fixtures/count.lua";

const bindings = testBindings("ratelimit-fold", {
  RATE_LIMITS: JSON.stringify({ redirect: { limit: 3, window: 3600 }, "count-view": { algorithm: "fixedWindow" } }),
});
const config = loadConfig(bindings);
const redis = createRedis(config);
afterAll(() => cleanup(bindings.KEY_PREFIX ?? ""));

const count = limitedScript(countSource, (reply) => reply as [number, string]);
const visits = `${bindings.KEY_PREFIX}visits`;

/** Runs the count script with the redirect policy folded in; returns the decision and the reply. */
async function visit(identifier: string) {
  const outcomes: LimitOutcome[] = [];
  const settle = (outcome: LimitOutcome) => {
    outcomes.push(outcome);
    if (outcome.status === "blocked") throw new AppError("quota_exceeded", "blocked");
  };
  try {
    const limit = scriptLimit(config, "redirect", identifier, 1, Date.now(), settle);
    const reply = await count.run(redis, [visits], ["hello"], limit);
    return { outcome: outcomes.at(-1), reply };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { outcome: outcomes.at(-1), reply: undefined };
  }
}

describe("a rate-limit check folded into a route's script", () => {
  it("runs the route's script and the check in one round trip", async () => {
    await visit("ip:192.0.2.99"); // loads the script
    const { result, roundTrips } = await countRoundTrips(() => visit("ip:192.0.2.100"));
    expect(roundTrips).toBe(1);
    expect(result.reply?.[1]).toBe("hello");
    expect(result.outcome).toMatchObject({ status: "allowed", limit: 3, remaining: 2 });
  });

  it("refuses over the limit without running the route's script: no side effect", async () => {
    const identifier = "ip:192.0.2.101";
    const before = Number(await redisCommand("GET", visits));
    for (let i = 0; i < 3; i++) expect((await visit(identifier)).outcome?.status).toBe("allowed");
    const refused = await visit(identifier);
    expect(refused.outcome).toMatchObject({ status: "blocked", remaining: 0, cached: false });
    expect(refused.reply).toBeUndefined();
    expect(Number(await redisCommand("GET", visits))).toBe(before + 3);
  });

  it("answers a blocked client from the block cache afterwards, with no round trip", async () => {
    const identifier = "ip:192.0.2.101";
    const { result, roundTrips } = await countRoundTrips(() => visit(identifier));
    expect(result.outcome).toMatchObject({ status: "blocked", cached: true });
    expect(roundTrips).toBe(0);
  });

  it("spends the same quota @upstash/ratelimit reads, so peeks and the middleware agree", async () => {
    // The script receives the stored identifier (the hash); an admin's peek names the address.
    await visit(await ipIdentifier("192.0.2.102", config.HASH_SECRET));
    await visit(await ipIdentifier("192.0.2.102", config.HASH_SECRET));
    const quota = await getQuota(redis, config, "ip:192.0.2.102", Date.now());
    expect(quota.find((q) => q.policy === "redirect")?.remaining).toBe(1);
  });

  it("is not offered for a policy whose algorithm cannot be folded", () => {
    expect(scriptLimit(config, "count-view", "ip:192.0.2.103", 1, Date.now(), () => undefined)).toBeUndefined();
  });

  it("runs the plain script when no limit is given", async () => {
    const reply = await count.run(redis, [visits], ["plain"]);
    expect(reply[1]).toBe("plain");
  });
});

describe("a read-only script with a shebang", () => {
  const peek = limitedScript(
    "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('GET', KEYS[1]) or 'none'",
    (reply) => reply,
  );

  it("runs plain with its flags, and folded without no-writes (the check writes its counters)", async () => {
    await redisCommand("SET", visits, "7");
    expect(await peek.run(redis, [visits], [])).toBe("7");
    const limit = scriptLimit(config, "redirect", "ip:192.0.2.110", 1, Date.now(), () => undefined);
    expect(await peek.run(redis, [visits], [], limit)).toBe("7");
  });
});
