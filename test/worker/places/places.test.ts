import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, countRoundTrips, problemBody, redisCommand } from "../support.ts";
import { placesApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2030-05-01T12:00:00Z"));
const t = placesApp("crud", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const at = (ms: number) => new Date(ms).toISOString();

describe("PUT, GET and DELETE /api/places/{set}/{id}", () => {
  it("creates (201), updates (200), reads and deletes a place, keeping its exact coordinates and data", async () => {
    const created = await t.expectApi(201, "PUT", "/api/places/shops/berlin", {
      lat: 52.520008,
      lon: 13.404954,
      data: { name: "Mitte", open: true, tags: ["a", "b"] },
    });
    expect(created).toEqual({
      place: {
        id: "berlin",
        lat: 52.520008,
        lon: 13.404954,
        data: { name: "Mitte", open: true, tags: ["a", "b"] },
        updatedAt: at(clock.now()),
        expiresAt: null,
      },
      events: [],
      pruned: 0,
    });
    clock.advance(1000);
    await t.expectApi(200, "PUT", "/api/places/shops/berlin", { lat: 52.5, lon: 13.4 });
    expect(await t.expectApi(200, "GET", "/api/places/shops/berlin")).toEqual({
      id: "berlin",
      lat: 52.5,
      lon: 13.4,
      data: {},
      updatedAt: at(clock.now()),
      expiresAt: null,
      fences: [],
    });
    expect((await t.api("DELETE", "/api/places/shops/berlin")).status).toBe(204);
    expect(await t.expectApi(404, "GET", "/api/places/shops/berlin")).toEqual(
      problemBody(
        404,
        "not-found",
        "Not found",
        'There is no place "berlin" in set "shops" (or it expired).',
        "/api/places/shops/berlin",
      ),
    );
    expect((await t.api("DELETE", "/api/places/shops/berlin")).status).toBe(404);
  });

  it("keeps a data member named __proto__ as data, byte for byte", async () => {
    await t.expectApi(201, "PUT", "/api/places/shops/proto", '{"lat":1,"lon":2,"data":{"__proto__":{"x":1},"y":2}}');
    const res = await t.api("GET", "/api/places/shops/proto");
    expect(await res.text()).toContain('"data":{"__proto__":{"x":1},"y":2}');
  });

  it("costs one round trip for a position update, the rate-limit check folded in", async () => {
    const limited = placesApp("crud-trips", { clock, bindings: { RATE_LIMITS: "{}" } });
    try {
      await limited.expectApi(201, "PUT", "/api/places/fleet/d1", { lat: 1, lon: 1, ttlSeconds: 30 }); // loads the script
      const { result, roundTrips } = await countRoundTrips(() =>
        limited.api("PUT", "/api/places/fleet/d1", { lat: 1.001, lon: 1, ttlSeconds: 30 }),
      );
      expect(result.status).toBe(200);
      expect(result.headers.get("ratelimit-policy")).toContain('"places-write"');
      expect(roundTrips).toBe(1);
    } finally {
      await cleanup(limited.bindings.KEY_PREFIX ?? "");
    }
  });
});

describe("invalid places", () => {
  const field = (path: string, message: string) => ({ path, message });
  const LAT = "must be between -85.05112878 and 85.05112878 (Redis's GEO limit)";
  it.each([
    ["a latitude past Redis's GEO limit", { lat: 85.06, lon: 0 }, [field("lat", LAT)]],
    ["a latitude below it", { lat: -85.0512, lon: 0 }, [field("lat", LAT)]],
    ["a longitude past 180", { lat: 0, lon: 180.0001 }, [field("lon", "must be between -180 and 180")]],
    ["a longitude below -180", { lat: 0, lon: -181 }, [field("lon", "must be between -180 and 180")]],
    ["coordinates as strings", { lat: "1", lon: 2 }, [field("lat", "must be a number (decimal degrees)")]],
    [
      "no coordinates",
      {},
      [field("lat", "must be a number (decimal degrees)"), field("lon", "must be a number (decimal degrees)")],
    ],
    ["data that is not an object", { lat: 0, lon: 0, data: [1] }, [field("data", "must be a JSON object")]],
    [
      "data over 4096 bytes",
      { lat: 0, lon: 0, data: { s: "é".repeat(2100) } },
      [field("data", "must be at most 4096 bytes as JSON")],
    ],
    ["a ttl of 0", { lat: 0, lon: 0, ttlSeconds: 0 }, [field("ttlSeconds", "must be at least 1")]],
    [
      "a fractional ttl",
      { lat: 0, lon: 0, ttlSeconds: 1.5 },
      [field("ttlSeconds", "must be a whole number of seconds")],
    ],
    [
      "a ttl over 30 days",
      { lat: 0, lon: 0, ttlSeconds: 2_592_001 },
      [field("ttlSeconds", "must be at most 2592000 (30 days)")],
    ],
  ])("refuses %s with a 422 naming the field, and writes nothing", async (_name, body, errors) => {
    const res = await t.api("PUT", "/api/places/checks/p1", body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual(errors);
    expect(await redisCommand("EXISTS", `${t.bindings.KEY_PREFIX}edgekit:place:{checks}:data`)).toBe(0);
  });

  it.each([
    ["a set name with a brace", "/api/places/a%7Bb/p1", "param.set"],
    ["a set name starting with _", "/api/places/_x/p1", "param.set"],
    ["a reserved place id", "/api/places/checks/nearby", "param.id"],
    ["a place id with a space", "/api/places/checks/a%20b", "param.id"],
    ["a place id of 129 characters", `/api/places/checks/${"a".repeat(129)}`, "param.id"],
  ])("refuses %s with a 422", async (_name, path, where) => {
    const res = await t.api("PUT", path, { lat: 0, lon: 0 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([where]);
  });
});

describe("POST /api/places/{set}/bulk", () => {
  it("writes 1,000 places in one round trip", async () => {
    const places = Array.from({ length: 1000 }, (_, i) => ({
      id: `p${i}`,
      lat: 48 + (i % 40) * 0.01,
      lon: 2 + Math.floor(i / 40) * 0.01,
      data: { n: i },
      ...(i % 2 ? { ttlSeconds: 600 } : {}),
    }));
    await t.expectApi(200, "POST", "/api/places/bulk-warm/bulk", { places: places.slice(0, 1) }); // loads the script
    const { result, roundTrips } = await countRoundTrips(() => t.api("POST", "/api/places/paris/bulk", { places }));
    expect(await result.json()).toEqual({ upserted: 1000, created: 1000, pruned: 0, events: [] });
    expect(roundTrips).toBe(1);
    expect(await t.expectApi(200, "GET", "/api/places/paris")).toEqual({
      set: "paris",
      settings: { nearby: "admin" },
      places: 1000,
      live: 500,
      fences: 0,
      events: 0,
    });
    expect(await t.expectApi(200, "GET", "/api/places/paris/p999")).toMatchObject({ data: { n: 999 }, lat: 48.39 });
  });

  it("refuses the whole bulk when one item is invalid, naming it, and writes nothing", async () => {
    const res = await t.api("POST", "/api/places/halfway/bulk", {
      places: [
        { id: "ok", lat: 1, lon: 1 },
        { id: "bad", lat: 91, lon: 1 },
      ],
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: "places.1.lat", message: "must be between -85.05112878 and 85.05112878 (Redis's GEO limit)" },
    ]);
    expect(await t.expectApi(200, "GET", "/api/places/halfway")).toMatchObject({ places: 0 });
  });

  it("refuses more than 1,000 places", async () => {
    const places = Array.from({ length: 1001 }, (_, i) => ({ id: `p${i}`, lat: 0, lon: 0 }));
    const res = await t.api("POST", "/api/places/big/bulk", { places });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: "places", message: "must hold at most 1000 places" },
    ]);
  });
});

describe("sets", () => {
  it("default to admin-only nearby searches, take public, and are deleted whole", async () => {
    expect(await t.expectApi(200, "GET", "/api/places/fresh")).toEqual({
      set: "fresh",
      settings: { nearby: "admin" },
      places: 0,
      live: 0,
      fences: 0,
      events: 0,
    });
    expect(await t.expectApi(200, "PUT", "/api/places/fresh", { nearby: "public" })).toMatchObject({
      settings: { nearby: "public" },
    });
    await t.expectApi(201, "PUT", "/api/places/fresh/a", { lat: 0, lon: 0 });
    await t.expectApi(201, "PUT", "/api/places/fresh/fences/f", { type: "circle", lat: 0, lon: 0, radius: 10 });
    expect((await t.api("DELETE", "/api/places/fresh")).status).toBe(204);
    expect(await t.expectApi(200, "GET", "/api/places/fresh")).toEqual({
      set: "fresh",
      settings: { nearby: "admin" },
      places: 0,
      live: 0,
      fences: 0,
      events: 0,
    });
  });

  it("refuses settings other than nearby: public | admin", async () => {
    const res = await t.api("PUT", "/api/places/fresh", { nearby: "everyone" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: "nearby", message: 'must be "public" or "admin"' },
    ]);
  });
});
