import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startProxy } from "../../../proxy/index.ts";
import { type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

let redis: RunningRedisServer;
let proxy: RunningProxy;

beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startProxy({
    tokens: [
      { token: "db0", redisUrl: redis.url },
      { token: "db3", redisUrl: `${redis.url}/3` },
    ],
    allowCommands: ["CONFIG SET"],
    blockingTimeoutMs: 300,
  });
});
afterAll(async () => {
  await proxy.close();
  await redis.stop();
});

const run = async (token: string, command: unknown[]) => {
  const res = await fetch(proxy.url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(command),
  });
  return { status: res.status, body: await res.json() };
};

describe("several tokens", () => {
  it("reach different databases of one Redis", async () => {
    await run("db0", ["SET", "tok:k", "zero"]);
    await run("db3", ["SET", "tok:k", "three"]);
    expect((await run("db0", ["GET", "tok:k"])).body).toEqual({ result: "zero" });
    expect((await run("db3", ["GET", "tok:k"])).body).toEqual({ result: "three" });
  });

  it("run a dangerous command only when it is allowed", async () => {
    expect(await run("db0", ["CONFIG", "SET", "maxmemory-policy", "noeviction"])).toEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect((await run("db0", ["SHUTDOWN"])).status).toBe(403);
  });

  it("cap a blocking command that would wait forever", async () => {
    const started = Date.now();
    expect(await run("db0", ["BLPOP", "tok:empty", 0])).toEqual({ status: 200, body: { result: null } });
    expect(await run("db0", ["XREAD", "BLOCK", 0, "STREAMS", "tok:stream", "$"])).toEqual({
      status: 200,
      body: { result: null },
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
