import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, redisCommand } from "../support.ts";
import { placesApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2030-05-01T12:00:00Z"));
const t = placesApp("fences", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

interface Update {
  events: { type: string; fence: string }[];
}

/** Moves a place (creating it the first time) and answers the events of that update. */
async function move(set: string, id: string, lat: number, lon: number, extra: Record<string, unknown> = {}) {
  const res = await t.api("PUT", `/api/places/${set}/${id}`, { lat, lon, ...extra });
  const text = await res.text();
  expect([200, 201], text).toContain(res.status);
  return (JSON.parse(text) as Update).events;
}

/** The set's event stream as plain objects, oldest first. */
async function stream(set: string): Promise<Record<string, string>[]> {
  const entries = await redisCommand<[string, string[]][]>(
    "XRANGE",
    `${t.bindings.KEY_PREFIX}edgekit:place:{${set}}:events`,
    "-",
    "+",
  );
  return entries.map(([, fields]) => {
    const entry: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) entry[fields[i] as string] = fields[i + 1] as string;
    return entry;
  });
}

const square = [
  { lat: 0, lon: 0 },
  { lat: 0, lon: 1 },
  { lat: 1, lon: 1 },
  { lat: 1, lon: 0 },
];

describe("circle fences", () => {
  it("answer enter when a place comes within the radius and leave when it goes out", async () => {
    const fence = await t.expectApi(201, "PUT", "/api/places/depot/fences/yard", {
      type: "circle",
      lat: 10,
      lon: 10,
      radius: 1000,
    });
    expect(fence).toEqual({
      id: "yard",
      type: "circle",
      lat: 10,
      lon: 10,
      radius: 1000,
      updatedAt: new Date(clock.now()).toISOString(),
    });
    expect(await move("depot", "truck", 10.02, 10)).toEqual([]); // 2.2 km north
    expect(await move("depot", "truck", 10.005, 10)).toEqual([{ type: "enter", fence: "yard" }]); // 556 m
    expect(await move("depot", "truck", 10.008, 10)).toEqual([]); // 890 m: still inside
    expect(await t.expectApi(200, "GET", "/api/places/depot/truck")).toMatchObject({ fences: ["yard"] });
    expect(await move("depot", "truck", 10.0095, 10)).toEqual([{ type: "leave", fence: "yard" }]); // 1,056 m
    expect(await t.expectApi(200, "GET", "/api/places/depot/truck")).toMatchObject({ fences: [] });
  });
});

describe("polygon fences", () => {
  it("are exact for a place crossing an edge back and forth, a centimetre either side", async () => {
    await t.expectApi(201, "PUT", "/api/places/grid/fences/square", { type: "polygon", points: square });
    const sides = [0.9999999, 1.0000001, 0.9999999, 1.0000001, 1.0000001, 0.9999999];
    const events = [];
    for (const lat of sides) events.push(await move("grid", "walker", lat, 0.5));
    expect(events).toEqual([
      [{ type: "enter", fence: "square" }],
      [{ type: "leave", fence: "square" }],
      [{ type: "enter", fence: "square" }],
      [{ type: "leave", fence: "square" }],
      [],
      [{ type: "enter", fence: "square" }],
    ]);
    // The same across the west edge (lon 0), where the ray test's crossings are counted.
    expect(await move("grid", "walker", 0.5, -0.0000001)).toEqual([{ type: "leave", fence: "square" }]);
    expect(await move("grid", "walker", 0.5, 0.0000001)).toEqual([{ type: "enter", fence: "square" }]);
  });

  it("leave out a point in a concave notch although it lies inside the fence's bounding circle", async () => {
    // An L: the square minus its north-east quarter.
    const ell = [
      { lat: 0, lon: 0 },
      { lat: 0, lon: 1 },
      { lat: 0.5, lon: 1 },
      { lat: 0.5, lon: 0.5 },
      { lat: 1, lon: 0.5 },
      { lat: 1, lon: 0 },
    ];
    await t.expectApi(201, "PUT", "/api/places/shapes/fences/ell", { type: "polygon", points: ell });
    expect(await move("shapes", "p", 0.75, 0.75)).toEqual([]);
    expect(await move("shapes", "p", 0.75, 0.25)).toEqual([{ type: "enter", fence: "ell" }]);
    expect(await move("shapes", "p", 0.25, 0.75)).toEqual([]);
    expect(await move("shapes", "p", 0.75, 0.75)).toEqual([{ type: "leave", fence: "ell" }]);
  });

  it("accept a closing repeat of the first point, and keep the ring open with its bounding circle", async () => {
    const fence = await t.expectApi<{ points: unknown[]; bounds: { lat: number; lon: number; radius: number } }>(
      201,
      "PUT",
      "/api/places/shapes/fences/closed",
      { type: "polygon", points: [...square, square[0]] },
    );
    expect(fence.points).toEqual(square);
    expect(fence.bounds).toMatchObject({ lat: 0.5, lon: 0.5 });
    // Half the diagonal of a 1° square at the equator is about 78.6 km; 1% and 10 m of margin on top.
    expect(fence.bounds.radius).toBeGreaterThan(78_600);
    expect(fence.bounds.radius).toBeLessThan(80_000);
  });

  const polygon = (...pairs: [number, number][]) => ({
    type: "polygon",
    points: pairs.map(([lat, lon]) => ({ lat, lon })),
  });
  it.each([
    ["a bow tie", polygon([0, 0], [1, 1], [1, 0], [0, 1]), "edges 0 and 2 cross; a fence must not cross itself"],
    [
      "a vertex touching another edge",
      polygon([0, 0], [0, 2], [2, 2], [0, 1], [2, 0]),
      "edges 0 and 2 cross; a fence must not cross itself",
    ],
    [
      "an outline doubling back",
      polygon([0, 0], [0, 2], [0, 1], [1, 1]),
      "edges 0 and 1 overlap (the outline doubles back on itself)",
    ],
    [
      "points on one line",
      polygon([0, 0], [1, 1], [2, 2]),
      "edges 0 and 2 overlap (the outline doubles back on itself)",
    ],
    ["a repeated point", polygon([0, 0], [0, 1], [0, 1], [1, 1]), "points 1 and 2 are the same; remove one"],
    ["two points and a closing repeat", polygon([0, 0], [0, 1], [0, 0]), "must have at least 3 distinct points"],
    [
      "a ring across the antimeridian",
      polygon([0, 179], [0, -179], [1, -179], [1, 179]),
      "must span at most 180° of longitude (split a fence that crosses the antimeridian in two)",
    ],
    [
      "101 points",
      polygon(...Array.from({ length: 101 }, (_, i): [number, number] => [Math.sin(i / 16), Math.cos(i / 16)])),
      "must have at most 100 points",
    ],
  ])("refuse %s with a 422", async (_name, body, message) => {
    const res = await t.api("PUT", "/api/places/shapes/fences/bad", body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([{ path: "points", message }]);
    expect((await t.api("GET", "/api/places/shapes/fences/bad")).status).toBe(404);
  });

  it("refuse a circle without a radius, a point past the GEO limit, and an unknown type", async () => {
    const errors = async (body: unknown) =>
      ((await (await t.api("PUT", "/api/places/shapes/fences/bad", body)).json()) as { errors: unknown }).errors;
    expect(await errors({ type: "circle", lat: 0, lon: 0 })).toEqual([
      { path: "radius", message: "Invalid input: expected number, received undefined" },
    ]);
    expect(await errors({ type: "circle", lat: 0, lon: 0, radius: 1_000_001 })).toEqual([
      { path: "radius", message: "must be at most 1000000 (metres)" },
    ]);
    expect(await errors(polygon([0, 0], [86, 1], [1, 1]))).toEqual([
      { path: "points.1.lat", message: "must be between -85.05112878 and 85.05112878 (Redis's GEO limit)" },
    ]);
    expect(await errors({ type: "star" })).toEqual([
      {
        path: "type",
        message:
          'must be a circle {"type":"circle","lat","lon","radius"} or a polygon {"type":"polygon","points":[...]}',
      },
    ]);
  });
});

describe("fence events", () => {
  it("go to the set's stream too, with leave events when a live position expires or a place is deleted", async () => {
    await t.expectApi(201, "PUT", "/api/places/zone/fences/centre", { type: "circle", lat: 20, lon: 20, radius: 5000 });
    const enteredAt = clock.now();
    await move("zone", "bike", 20, 20, { ttlSeconds: 30 });
    await move("zone", "van", 20.001, 20);
    clock.advance(30_000); // the bike expires
    await move("zone", "van", 20.002, 20); // this update prunes it
    await t.api("DELETE", "/api/places/zone/van");
    expect(await stream("zone")).toEqual([
      { event: "enter", fence: "centre", place: "bike", at: String(enteredAt), reason: "update" },
      { event: "enter", fence: "centre", place: "van", at: String(enteredAt), reason: "update" },
      { event: "leave", fence: "centre", place: "bike", at: String(clock.now()), reason: "expired" },
      { event: "leave", fence: "centre", place: "van", at: String(clock.now()), reason: "deleted" },
    ]);
  });

  it("are listed per place of a bulk, in input order, several fences of one place by fence id", async () => {
    await t.expectApi(201, "PUT", "/api/places/mixed/fences/b-circle", {
      type: "circle",
      lat: 0.5,
      lon: 0.5,
      radius: 20_000,
    });
    await t.expectApi(201, "PUT", "/api/places/mixed/fences/a-square", { type: "polygon", points: square });
    const reply = await t.expectApi(200, "POST", "/api/places/mixed/bulk", {
      places: [
        { id: "out", lat: 5, lon: 5 },
        { id: "both", lat: 0.5, lon: 0.5 },
        { id: "square-only", lat: 0.1, lon: 0.1 },
        { id: "both", lat: 3, lon: 3 }, // the same place again: it leaves both
      ],
    });
    expect(reply).toEqual({
      upserted: 4,
      created: 3,
      pruned: 0,
      events: [
        { index: 1, id: "both", type: "enter", fence: "a-square" },
        { index: 1, id: "both", type: "enter", fence: "b-circle" },
        { index: 2, id: "square-only", type: "enter", fence: "a-square" },
        { index: 3, id: "both", type: "leave", fence: "a-square" },
        { index: 3, id: "both", type: "leave", fence: "b-circle" },
      ],
    });
  });

  it("stop for a deleted fence without a leave event, and count exactly under 200 concurrent updates", async () => {
    await t.expectApi(201, "PUT", "/api/places/busy/fences/hub", { type: "circle", lat: 30, lon: 30, radius: 10_000 });
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => move("busy", `p${i}`, 30 + (i % 2 ? 0.01 : 1), 30)),
    );
    expect(replies.filter((events) => events.length === 1).length).toBe(100);
    expect((await stream("busy")).length).toBe(100);
    expect((await t.api("DELETE", "/api/places/busy/fences/hub")).status).toBe(204);
    expect(await move("busy", "p1", 30.02, 30)).toEqual([]);
    expect(await t.expectApi(200, "GET", "/api/places/busy/p1")).toMatchObject({ fences: [] });
    expect((await t.api("DELETE", "/api/places/busy/fences/hub")).status).toBe(404);
  });

  it("have at most 100 fences per set: the 101st is a 409, replacing one is fine", async () => {
    for (let i = 0; i < 100; i++) {
      await t.expectApi(201, "PUT", `/api/places/capped/fences/f${i}`, { type: "circle", lat: 0, lon: i, radius: 100 });
    }
    const refused = await t.api("PUT", "/api/places/capped/fences/f100", {
      type: "circle",
      lat: 0,
      lon: 0,
      radius: 100,
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      detail: 'Set "capped" already holds 100 fences, the most a set may hold; delete one first.',
    });
    await t.expectApi(200, "PUT", "/api/places/capped/fences/f0", { type: "circle", lat: 1, lon: 1, radius: 100 });
    const { fences } = await t.expectApi<{ fences: { id: string }[] }>(200, "GET", "/api/places/capped/fences");
    expect(fences.length).toBe(100);
    expect(fences[0]).toMatchObject({ id: "f0", lat: 1 });
  });
});
