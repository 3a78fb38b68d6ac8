import { describe, expect, it } from "vitest";
import { problemBody } from "../support.ts";
import { idemApp } from "./helpers.ts";

const UNREACHABLE = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "500" };

describe("with Redis unreachable", () => {
  it("answers a keyed request 503 with Retry-After, and the handler never runs", async () => {
    const t = idemApp("outage", { bindings: UNREACHABLE });
    const started = Date.now();
    const res = await t.post("/api/_test/idem/things", "outage-1", {}, { "cf-connecting-ip": "203.0.113.40" });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual(
      problemBody(
        503,
        "redis-unavailable",
        "Storage unavailable",
        "Storage is temporarily unavailable. Try again shortly.",
        "/api/_test/idem/things",
      ),
    );
    expect(t.runs()).toBe(0);
  });

  it("runs the handler unprotected on a route IDEMPOTENCY_ROUTES marks failOpen", async () => {
    const t = idemApp("outage-open", {
      bindings: { ...UNREACHABLE, IDEMPOTENCY_ROUTES: '{"POST /api/_test/idem/things":{"failOpen":true}}' },
    });
    const res = await t.post("/api/_test/idem/things", "outage-2", {}, { "cf-connecting-ip": "203.0.113.41" });
    expect(res.status).toBe(201);
    expect(t.runs()).toBe(1);
  });
});
