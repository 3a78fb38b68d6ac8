import { afterAll, describe, expect, it } from "vitest";
import { manualClock, systemClock } from "../../../src/lib/clock.ts";
import { cleanup, problemBody } from "../support.ts";
import { idemApp, until } from "./helpers.ts";

const clock = manualClock(Date.UTC(2026, 11, 1, 9));
const t = idemApp("lease", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const IP = { "cf-connecting-ip": "203.0.113.20" };
const gate = (key: string, body: unknown = {}) => t.post("/api/_test/idem/gate", key, body, IP);

describe("while the first request runs", () => {
  it("answers 409 with Retry-After to the same request, and 422 to another with the same key", async () => {
    const first = gate("in-flight", { n: 1 });
    await until(() => t.waiting() === 1);
    clock.advance(10_000);

    const busy = await gate("in-flight", { n: 1 });
    expect(busy.status).toBe(409);
    expect(busy.headers.get("retry-after")).toBe("20");
    expect(await busy.json()).toEqual(
      problemBody(
        409,
        "request-in-flight",
        "Request in progress",
        "A request with this Idempotency-Key is still in progress. Retry in 20 s to get its answer.",
        "/api/_test/idem/gate",
      ),
    );
    const other = await gate("in-flight", { n: 2 });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { detail: string }).detail).toBe(
      "This Idempotency-Key was used for another request, still in progress: use a new key for a new request.",
    );

    t.open();
    expect((await first).status).toBe(201);
    const replay = await gate("in-flight", { n: 1 });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("a request whose handler dies mid-run", () => {
  it("blocks retries only until its lease lapses; the retry takes over and the dead attempt's commit is refused", async () => {
    // The first attempt hangs (as if its isolate were killed): no heartbeat moves the test clock.
    const zombie = gate("crash");
    await until(() => t.waiting() === 1);
    const runs = t.runs();

    clock.advance(29_000);
    expect((await gate("crash")).status).toBe(409);

    clock.advance(2_000); // past the 30 s lease
    const retry = gate("crash");
    await until(() => t.waiting() === 2);
    expect(t.runs()).toBe(runs + 1);
    t.open();

    const taken = await retry;
    expect(taken.status).toBe(201);
    expect(await taken.json()).toMatchObject({ attempt: 2 });
    // The zombie finishes last: its commit is refused, its client told to ask again.
    const late = await zombie;
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ type: "https://edgekit.dev/problems/lease-lost", status: 409 });

    const replay = await gate("crash");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toMatchObject({ attempt: 2, run: runs + 1 });
  });
});

describe("a request that runs longer than its lease", () => {
  it("keeps its claim: the heartbeat extends the lease every half lease, so a retry still gets 409", async () => {
    const slow = idemApp("lease-beat", { clock: systemClock, bindings: { IDEMPOTENCY_LEASE_SECONDS: "1" } });
    const first = slow.post("/api/_test/idem/gate", "beat", {}, IP);
    await until(() => slow.waiting() === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // past the 1 s lease, in real time
    const retry = await slow.post("/api/_test/idem/gate", "beat", {}, IP);
    expect(retry.status).toBe(409);
    expect(slow.runs()).toBe(1);
    slow.open();
    expect((await first).status).toBe(201);
    await cleanup(slow.bindings.KEY_PREFIX ?? "");
  });
});

describe("retention", () => {
  it("replays for 24 h, then answers 410 key-expired for 7 days, then runs the key anew", async () => {
    await t.post("/api/_test/idem/things", "retained", {}, IP);
    clock.advance(24 * 3_600_000 - 1);
    expect((await t.post("/api/_test/idem/things", "retained", {}, IP)).headers.get("idempotent-replayed")).toBe(
      "true",
    );

    clock.advance(1);
    const expired = await t.post("/api/_test/idem/things", "retained", {}, IP);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toEqual(
      problemBody(
        410,
        "key-expired",
        "Idempotency key expired",
        "This Idempotency-Key's answer was kept 24 h and is gone; the request is not run again. Use a new key to run it.",
        "/api/_test/idem/things",
      ),
    );
    const reused = await t.post("/api/_test/idem/things", "retained", { other: true }, IP);
    expect(reused.status).toBe(422);

    clock.advance(7 * 86_400_000);
    const fresh = await t.post("/api/_test/idem/things", "retained", {}, IP);
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
  });

  it("follows IDEMPOTENCY_RETENTION_HOURS", async () => {
    const short = idemApp("lease-short", { clock, bindings: { IDEMPOTENCY_RETENTION_HOURS: "1" } });
    await short.post("/api/_test/idem/things", "short", {}, IP);
    clock.advance(3_600_000);
    expect((await short.post("/api/_test/idem/things", "short", {}, IP)).status).toBe(410);
    await cleanup(short.bindings.KEY_PREFIX ?? "");
  });
});
