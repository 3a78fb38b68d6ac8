import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { beginRequest } from "../../../src/lib/idempotency/begin-request.ts";
import { extendClaim } from "../../../src/lib/idempotency/extend-claim.ts";
import { idempotencyKeys } from "../../../src/lib/idempotency/keys.ts";
import { fencedWrite, readFenced } from "../../../src/lib/locks/fenced-write.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, jsonHeaders, redisCommand } from "../support.ts";
import { idemApp } from "./helpers.ts";

const t = idemApp("flush");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");
const IP = { "cf-connecting-ip": "203.0.113.50" };
const admin = (method: string, path: string, body: unknown) =>
  t.request(path, { method, headers: adminHeaders(jsonHeaders()), body: JSON.stringify(body) });

describe("the idempotency, lock and dedup scripts after SCRIPT FLUSH", () => {
  it("all still work through the EVAL fallback", async () => {
    await flush(); // begin, then commit
    expect((await t.post("/api/_test/idem/things", "flush-1", {}, IP)).status).toBe(201);
    await flush(); // begin: replay
    expect((await t.post("/api/_test/idem/things", "flush-1", {}, IP)).headers.get("idempotent-replayed")).toBe("true");
    await flush(); // begin, then release
    expect((await t.post("/api/_test/idem/throw", "flush-2", {}, IP)).status).toBe(500);
    expect((await t.post("/api/_test/idem/throw", "flush-2", {}, IP)).status).toBe(500);

    const config = loadConfig(t.bindings);
    const keys = await idempotencyKeys(config, "admin", "flush-3");
    const input = { fingerprint: "ab".repeat(32), owner: "x", now: t.clock.now(), leaseMs: 1000, retentionMs: 60_000 };
    expect(await beginRequest(createRedis(config), keys, input)).toEqual({ kind: "run", attempt: 1, takeover: false });
    await flush(); // extend (the heartbeat's script)
    expect(await extendClaim(createRedis(config), keys, { owner: "x", now: t.clock.now(), leaseMs: 1000 })).toBe(true);

    await flush(); // lock acquire, extend, release
    const lease = (await (await admin("POST", "/api/locks/flushed", { ttlMs: 5000, owner: "f" })).json()) as {
      token: string;
    };
    await flush();
    expect((await admin("PATCH", "/api/locks/flushed", { token: lease.token, ttlMs: 5000 })).status).toBe(200);
    await flush();
    expect((await admin("DELETE", "/api/locks/flushed", { token: lease.token })).status).toBe(204);

    await flush(); // fenced write
    const redis = createRedis(config);
    await fencedWrite(redis, config, { resource: "flushed", fence: 5, value: "v" });
    expect(await readFenced(redis, config, "flushed")).toEqual({ value: "v", fence: 5 });

    await flush(); // dedup: mark, claim, ack, release, bloom
    expect(await (await admin("POST", "/api/dedup/flushed", { ids: ["a"] })).json()).toEqual({ new: ["a"], seen: [] });
    await flush();
    const claim = (await (await admin("POST", "/api/dedup/flushed", { ids: ["b", "c"], mode: "claim" })).json()) as {
      token: string;
    };
    await flush();
    expect(await (await admin("POST", "/api/dedup/flushed/ack", { ids: ["b"], token: claim.token })).json()).toEqual({
      acked: ["b"],
      lost: [],
    });
    await flush();
    expect(
      await (await admin("POST", "/api/dedup/flushed/release", { ids: ["c"], token: claim.token })).json(),
    ).toEqual({ released: ["c"], lost: [] });
    await flush();
    expect(await (await admin("POST", "/api/dedup/flushed", { ids: ["d"], mode: "bloom" })).json()).toEqual({
      new: ["d"],
      seen: [],
    });
  });
});
