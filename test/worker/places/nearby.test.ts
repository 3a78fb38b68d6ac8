import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, countRoundTrips, problemBody, redisCommand } from "../support.ts";
import { haversine, placesApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2030-05-01T12:00:00Z"));
const t = placesApp("nearby", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const centre = { lat: 52.52, lon: 13.405 };
/** Stores around the centre: a few hundred metres to 60 km, every direction. */
const stores = [
  { id: "north", lat: 52.529, lon: 13.405 },
  { id: "east", lat: 52.52, lon: 13.45 },
  { id: "southwest", lat: 52.47, lon: 13.33 },
  { id: "close", lat: 52.5203, lon: 13.4061 },
  { id: "south", lat: 52.43, lon: 13.41 },
  { id: "far", lat: 52.9, lon: 13.9 },
];

/** Bearing from a to b in degrees, computed here independently of src/. */
function bearing(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const y = Math.sin(r(b.lon - a.lon)) * Math.cos(r(b.lat));
  const x =
    Math.cos(r(a.lat)) * Math.sin(r(b.lat)) - Math.sin(r(a.lat)) * Math.cos(r(b.lat)) * Math.cos(r(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

interface Nearby {
  centre: Record<string, unknown>;
  area: Record<string, unknown>;
  places: { id: string; distance: number; bearing: number; data: Record<string, unknown> }[];
}

beforeAll(async () => {
  await t.expectApi(200, "PUT", "/api/places/stores", { nearby: "public" });
  await t.expectApi(200, "POST", "/api/places/stores/bulk", {
    places: stores.map((s) => ({ ...s, data: { name: s.id } })),
  });
});

describe("GET /api/places/{set}/nearby", () => {
  it("answers places nearest first, distances within 0.5% of haversine, with data and bearing", async () => {
    const res = await t.request(`/api/places/stores/nearby?lat=${centre.lat}&lon=${centre.lon}&radius=20&unit=km`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Nearby;
    const expected = stores
      .map((s) => ({ id: s.id, km: haversine(centre, s) / 1000, bearing: bearing(centre, s) }))
      .filter((s) => s.km <= 20)
      .sort((a, b) => a.km - b.km);
    expect(body.places.map((p) => p.id)).toEqual(expected.map((s) => s.id));
    body.places.forEach((p, i) => {
      const want = expected[i] as (typeof expected)[number];
      expect(Math.abs(p.distance - want.km) / want.km).toBeLessThan(0.005);
      expect(Math.abs(p.bearing - want.bearing)).toBeLessThan(0.1);
      expect(p.data).toEqual({ name: p.id });
    });
    expect(body.centre).toEqual({ ...centre, source: "query" });
    expect(body.area).toEqual({ by: "radius", radius: 20, unit: "km" });
  });

  it("takes other units, a limit, and a box instead of a radius", async () => {
    const q = `lat=${centre.lat}&lon=${centre.lon}`;
    const inMiles = (await t.expectApi<Nearby>(200, "GET", `/api/places/stores/nearby?${q}&radius=10&unit=mi&limit=2`))
      .places;
    expect(inMiles.map((p) => p.id)).toEqual(["close", "north"]);
    const north = stores[0] as (typeof stores)[number];
    expect(Math.abs((inMiles[1]?.distance ?? 0) - haversine(centre, north) / 1609.34)).toBeLessThan(0.005);
    // A box 8 km wide and 2.2 km high: east (3 km away) and north (1 km) are in, south (10 km) is out.
    const box = await t.expectApi<Nearby>(200, "GET", `/api/places/stores/nearby?${q}&width=8&height=2.2`);
    expect(box.places.map((p) => p.id)).toEqual(["close", "north", "east"]);
    expect(box.area).toEqual({ by: "box", width: 8, height: 2.2, unit: "km" });
  });

  it("defaults to the visitor's location from request.cf, and says so", async () => {
    const cf = { latitude: "52.5200", longitude: "13.4050", city: "Berlin", country: "DE" };
    const res = await t.withCf("/api/places/stores/nearby?radius=2", cf);
    const body = (await res.json()) as Nearby;
    expect(res.status).toBe(200);
    expect(body.centre).toEqual({ lat: 52.52, lon: 13.405, source: "cf", city: "Berlin", country: "DE" });
    expect(body.places.map((p) => p.id)).toEqual(["close", "north"]);
    // Coordinates in the query win over request.cf.
    const given = await t.withCf("/api/places/stores/nearby?lat=52.9&lon=13.9&radius=1", cf);
    expect(((await given.json()) as Nearby).centre).toEqual({ lat: 52.9, lon: 13.9, source: "query" });
  });

  it("answers a 400 that says how to pass a location when there is none", async () => {
    const detail =
      "No location: pass ?lat=<decimal degrees>&lon=<decimal degrees>, or call from a request that carries the visitor's location (Cloudflare's request.cf.latitude/longitude; it is absent for some requests and in local development).";
    const missing: (Record<string, string> | undefined)[] = [
      undefined,
      { country: "DE" },
      { latitude: "", longitude: "" },
      { latitude: "89.9", longitude: "0" },
    ];
    for (const cf of missing) {
      const res = await t.withCf("/api/places/stores/nearby", cf);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(
        problemBody(400, "bad-request", "Bad request", detail, "/api/places/stores/nearby"),
      );
    }
  });

  it.each([
    ["lat without lon", "lat=1", "query.lon", "lat and lon go together: pass both, or neither"],
    ["an empty lat", "lat=&lon=1", "query.lat", "must be a number"],
    [
      "a latitude past the GEO limit",
      "lat=86&lon=1",
      "query.lat",
      "must be between -85.05112878 and 85.05112878 (Redis's GEO limit)",
    ],
    ["a longitude of 1e309", "lat=1&lon=1e309", "query.lon", "must be a number (decimal degrees)"],
    ["a longitude past 180", "lat=1&lon=180.5", "query.lon", "must be between -180 and 180"],
    [
      "a radius and a box",
      "lat=1&lon=1&radius=1&width=1&height=1",
      "query.radius",
      "pass either radius, or width and height (a box)",
    ],
    ["a box without height", "lat=1&lon=1&width=1", "query.height", "a box needs both width and height"],
    ["a radius past half the earth", "lat=1&lon=1&radius=20038", "query.radius", "must be at most 20037 km"],
    ["a zero radius", "lat=1&lon=1&radius=0", "query.radius", "must be more than 0"],
    ["an unknown unit", "lat=1&lon=1&unit=yd", "query.unit", "must be one of m, km, mi, ft"],
    ["a limit over 100", "lat=1&lon=1&limit=101", "query.limit", "must be at most 100"],
  ])("refuses %s with a 422 naming the field", async (_name, query, path, message) => {
    const res = await t.request(`/api/places/stores/nearby?${query}`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([{ path, message }]);
  });

  it("needs the admin token on a set whose settings say nearby: admin (the default)", async () => {
    await t.expectApi(200, "POST", "/api/places/drivers/bulk", { places: [{ id: "d1", ...centre }] });
    const anonymous = await t.request(`/api/places/drivers/nearby?lat=${centre.lat}&lon=${centre.lon}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="edgekit"');
    expect(await anonymous.json()).toEqual(
      problemBody(
        401,
        "unauthorized",
        "Unauthorized",
        'Nearby searches of set "drivers" need `Authorization: Bearer <ADMIN_TOKEN>` (its settings say nearby: "admin").',
        "/api/places/drivers/nearby",
      ),
    );
    const asAdmin = await t.expectApi<Nearby>(
      200,
      "GET",
      `/api/places/drivers/nearby?lat=${centre.lat}&lon=${centre.lon}`,
    );
    expect(asAdmin.places.map((p) => p.id)).toEqual(["d1"]);
  });

  it("costs one round trip, the places-nearby rate-limit check folded in, and refuses past the limit", async () => {
    const limited = placesApp("nearby-limits", {
      bindings: { RATE_LIMITS: JSON.stringify({ "places-nearby": { limit: 3 } }) },
    });
    try {
      await limited.expectApi(200, "PUT", "/api/places/shops", { nearby: "public" });
      const search = () =>
        limited.request("/api/places/shops/nearby?lat=1&lon=1", { headers: { "cf-connecting-ip": "198.51.100.7" } });
      await search(); // loads the script
      const { result, roundTrips } = await countRoundTrips(search);
      expect([result.status, roundTrips]).toEqual([200, 1]);
      expect(result.headers.get("ratelimit-policy")).toBe('"places-nearby";q=3;w=60');
      expect((await search()).status).toBe(200);
      const refused = await search();
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ status: 429, policy: "places-nearby" });
    } finally {
      await cleanup(limited.bindings.KEY_PREFIX ?? "");
    }
  });
});

describe("live positions", () => {
  const search = async (set: string, limit = 10) =>
    (
      await t.expectApi<Nearby>(200, "GET", `/api/places/${set}/nearby?lat=10&lon=10&radius=50&limit=${limit}`)
    ).places.map((p) => p.id);

  it("are never returned once expired, even before an update prunes them; the next update does", async () => {
    await t.expectApi(201, "PUT", "/api/places/couriers/c1", { lat: 10, lon: 10, ttlSeconds: 10 });
    await t.expectApi(201, "PUT", "/api/places/couriers/c2", { lat: 10.01, lon: 10, ttlSeconds: 20 });
    await t.expectApi(201, "PUT", "/api/places/couriers/shop", { lat: 10.02, lon: 10 });
    clock.advance(9_999);
    expect(await search("couriers")).toEqual(["c1", "c2", "shop"]);
    clock.advance(1); // c1's expiry: gone from every read, still in Redis
    expect(await search("couriers")).toEqual(["c2", "shop"]);
    expect((await t.api("GET", "/api/places/couriers/c1")).status).toBe(404);
    expect(await redisCommand("ZCARD", `${t.bindings.KEY_PREFIX}edgekit:place:{couriers}:geo`)).toBe(3);
    clock.advance(10_000); // c2's too
    expect(await search("couriers")).toEqual(["shop"]);
    const update = await t.expectApi(200, "PUT", "/api/places/couriers/shop", { lat: 10.02, lon: 10 });
    expect(update).toMatchObject({ pruned: 2 });
    expect(await redisCommand("ZCARD", `${t.bindings.KEY_PREFIX}edgekit:place:{couriers}:geo`)).toBe(1);
    expect(await redisCommand("HLEN", `${t.bindings.KEY_PREFIX}edgekit:place:{couriers}:data`)).toBe(1);
    expect(await redisCommand("ZCARD", `${t.bindings.KEY_PREFIX}edgekit:place:{couriers}:expiry`)).toBe(0);
  });

  it("come back as created when updated after they expired, and stay while updated", async () => {
    await t.expectApi(201, "PUT", "/api/places/fleet/f1", { lat: 10, lon: 10, ttlSeconds: 5 });
    for (let i = 0; i < 3; i++) {
      clock.advance(4_000);
      await t.expectApi(200, "PUT", "/api/places/fleet/f1", { lat: 10, lon: 10 + i * 0.001, ttlSeconds: 5 });
    }
    expect(await search("fleet")).toEqual(["f1"]);
    clock.advance(5_000);
    expect(await search("fleet")).toEqual([]);
    await t.expectApi(201, "PUT", "/api/places/fleet/f1", { lat: 10, lon: 10, ttlSeconds: 5 });
  });

  it("fill the limit with live places when expired ones are nearer", async () => {
    const places = [
      ...Array.from({ length: 30 }, (_, i) => ({ id: `gone${i}`, lat: 10, lon: 10 + i * 0.0001, ttlSeconds: 1 })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: `live${i}`, lat: 10.1 + i * 0.01, lon: 10 })),
    ];
    await t.expectApi(200, "POST", "/api/places/crowd/bulk", { places });
    clock.advance(1_000);
    expect(await search("crowd", 2)).toEqual(["live0", "live1"]);
    expect(await search("crowd", 5)).toEqual(["live0", "live1", "live2"]);
  });
});
