import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { beginRequest } from "../../../src/lib/idempotency/begin-request.ts";
import { fingerprint } from "../../../src/lib/idempotency/fingerprint.ts";
import { idempotencyKeys } from "../../../src/lib/idempotency/keys.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips } from "../support.ts";
import { idemApp } from "./helpers.ts";

const t = idemApp("trips");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const link = (n: number) => ({ url: `https://example.com/trips/${n}` });
const trips = async (key: string | undefined, body: unknown) => {
  const { result, roundTrips } = await countRoundTrips(() => t.asAdmin("POST", "/api/links", key, body));
  return { status: result.status, replayed: result.headers.get("idempotent-replayed"), roundTrips };
};

describe("Redis round trips of POST /api/links (its rate-limit check folded in)", () => {
  it("plain: 1 (scripts loaded first, so no NOSCRIPT retry is counted); first with a key: 3 (claim, the route's own, store); replay: 1; reused key: 1", async () => {
    for (const key of [undefined, "trips-warm"]) await t.asAdmin("POST", "/api/links", key, link(-1));
    await t.asAdmin("POST", "/api/links", "trips-warm", link(-1));
  });

  it("plain: 1; first with a key: 3 (claim, the route's own, store); replay: 1; reused key: 1", async () => {
    expect(await trips(undefined, link(0))).toEqual({ status: 201, replayed: null, roundTrips: 1 });
    expect(await trips("trips-1", link(1))).toEqual({ status: 201, replayed: null, roundTrips: 3 });
    expect(await trips("trips-1", link(1))).toEqual({ status: 201, replayed: "true", roundTrips: 1 });
    expect(await trips("trips-1", link(2))).toEqual({ status: 422, replayed: null, roundTrips: 1 });
  });

  it("in flight: 1", async () => {
    // Another attempt holds the claim: begin it by hand with the request's own scope and fingerprint.
    const config = loadConfig(t.bindings);
    const body = JSON.stringify(link(3));
    const keys = await idempotencyKeys(config, "admin", "trips-busy");
    const print = await fingerprint({
      method: "POST",
      path: "/api/links",
      query: new URLSearchParams(),
      contentType: "application/json",
      body: new TextEncoder().encode(body).buffer as ArrayBuffer,
    });
    const claimed = await beginRequest(createRedis(config), keys, {
      fingerprint: print,
      owner: "someone-else",
      now: t.clock.now(),
      leaseMs: 30_000,
      retentionMs: 86_400_000,
    });
    expect(claimed).toEqual({ kind: "run", attempt: 1, takeover: false });
    expect(await trips("trips-busy", link(3))).toEqual({ status: 409, replayed: null, roundTrips: 1 });
  });
});
