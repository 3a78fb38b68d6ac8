import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { idemApp } from "./helpers.ts";

const t = idemApp("concurrency");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const IP = { "cf-connecting-ip": "203.0.113.30" };

describe("200 concurrent requests with one key", () => {
  it("run the handler exactly once; every other caller gets the replay or a 409", async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => t.post("/api/_test/idem/things", "one-key", { n: 1 }, IP)),
    );
    expect(t.runs()).toBe(1);
    const fresh = responses.filter((res) => res.status === 201 && res.headers.get("idempotent-replayed") === null);
    const replays = responses.filter((res) => res.status === 201 && res.headers.get("idempotent-replayed") === "true");
    const busy = responses.filter((res) => res.status === 409);
    expect(fresh.length).toBe(1);
    expect(fresh.length + replays.length + busy.length).toBe(200);
    for (const res of busy) expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const bodies = new Set(await Promise.all(replays.map((res) => res.text())));
    expect(bodies.size).toBeLessThanOrEqual(1);
  });

  it("create one link through POST /api/links; all who got a 201 got that link", async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.asAdmin("POST", "/api/links", "one-link", { url: "https://example.com/once" }),
      ),
    );
    const created = responses.filter((res) => res.status === 201);
    expect(created.length + responses.filter((res) => res.status === 409).length).toBe(200);
    const slugs = new Set(await Promise.all(created.map(async (res) => ((await res.json()) as { slug: string }).slug)));
    expect(slugs.size).toBe(1);
    const list = (await (await t.asAdmin("GET", "/api/links?limit=100", undefined)).json()) as { links: unknown[] };
    expect(list.links).toHaveLength(1);
  });
});
