import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../dashboard/session.ts";
import { cleanup, redisCommand } from "../support.ts";
import { placesApp } from "./helpers.ts";

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

// Sliding windows: the rate-limit check is folded into the scripts (the wrapped variants run).
const folded = placesApp("flush-folded", { bindings: { RATE_LIMITS: "{}" } });
// Fixed windows cannot be folded: the middleware checks apart and the plain scripts run.
const plain = placesApp("flush-plain", {
  bindings: {
    RATE_LIMITS: JSON.stringify({
      "places-nearby": { algorithm: "fixedWindow" },
      "places-write": { algorithm: "fixedWindow" },
    }),
  },
});
afterAll(async () => {
  await cleanup(folded.bindings.KEY_PREFIX ?? "");
  await cleanup(plain.bindings.KEY_PREFIX ?? "");
});

describe.each([
  ["with the rate-limit check folded in", folded],
  ["as plain scripts", plain],
])("every places script after SCRIPT FLUSH, %s", (_name, t) => {
  it("still works through the EVAL fallback, one script after another", async () => {
    await flush();
    await t.expectApi(201, "PUT", "/api/places/flushed/fences/zone", { type: "circle", lat: 1, lon: 1, radius: 1000 });
    await flush();
    await t.expectApi(201, "PUT", "/api/places/flushed/fences/square", {
      type: "polygon",
      points: [
        { lat: 0, lon: 0 },
        { lat: 0, lon: 2 },
        { lat: 2, lon: 2 },
        { lat: 2, lon: 0 },
      ],
    });
    await flush();
    expect(await t.expectApi(201, "PUT", "/api/places/flushed/p1", { lat: 1, lon: 1, ttlSeconds: 60 })).toMatchObject({
      events: [
        { type: "enter", fence: "square" },
        { type: "enter", fence: "zone" },
      ],
    });
    await flush();
    expect(
      await t.expectApi(200, "POST", "/api/places/flushed/bulk", { places: [{ id: "p2", lat: 1.001, lon: 1 }] }),
    ).toMatchObject({ upserted: 1, created: 1 });
    await flush();
    expect(await t.expectApi(200, "GET", "/api/places/flushed/p1")).toMatchObject({ fences: ["square", "zone"] });
    await flush();
    const near = await t.expectApi<{ places: { id: string }[] }>(200, "GET", "/api/places/flushed/nearby?lat=1&lon=1");
    expect(near.places.map((p) => p.id)).toEqual(["p1", "p2"]);
    await flush();
    expect(await t.expectApi(200, "GET", "/api/places/flushed")).toMatchObject({ places: 2, live: 1, fences: 2 });
    const cookie = await signIn(t);
    await flush();
    const page = await t.request("/admin/places/flushed", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<td>p2</td>");
    await flush();
    expect((await t.api("DELETE", "/api/places/flushed/p1")).status).toBe(204);
    await flush();
    expect((await t.api("DELETE", "/api/places/flushed/fences/zone")).status).toBe(204);
  });
});
