import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "../../../scripts/redis-server.ts";
import { type Stack, startStack } from "./helpers.ts";

let stack: Stack;
let restarted: Awaited<ReturnType<typeof startRedisServer>> | undefined;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.proxy.close();
  await restarted?.stop();
  await stack.redis.stop();
});

describe("when Redis goes away and comes back", () => {
  it("answers 503 fast while it is down and recovers by itself once it is back", async () => {
    expect(await (await stack.post("/", ["SET", "r:k", "1"])).json()).toEqual({ result: "OK" });
    await stack.redis.stop();

    const started = Date.now();
    const down = await stack.post("/", ["GET", "r:k"]);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("1");
    expect(await down.json()).toEqual({ error: "Redis is unreachable; retry shortly" });
    expect((await stack.post("/pipeline", [["GET", "r:k"]])).status).toBe(503);
    expect((await stack.post("/multi-exec", [["GET", "r:k"]])).status).toBe(503);
    expect((await stack.post("/", ["BLPOP", "r:l", 1])).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);

    restarted = await startRedisServer({ port: stack.redis.port });
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await stack.post("/", ["SET", "r:k", "2"])).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(await stack.client().get("r:k")).toBe(2);
  });
});
