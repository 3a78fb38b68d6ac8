import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { boardsApp } from "../leaderboards/helpers.ts";
import { cleanup, countRoundTrips, problemBody, redisCommand } from "../support.ts";

const clock = manualClock(Date.parse("2027-03-01T00:00:00.000Z"));
const t = boardsApp("trending", { clock });
const prefix = t.bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

interface Read {
  total: number;
  items: { item: string; heat: number; rank: number }[];
}
interface HitReply {
  item: string;
  heat: number;
  rank: number | null;
  id: string | null;
}

const HOUR = 3_600_000;
const hit = (list: string, item: string, weight = 1) =>
  t.ok<HitReply>("POST", `/api/trending/${list}/hits`, { item, weight });
const read = (list: string, limit = 20) => t.ok<Read>("GET", `/api/trending/${list}?limit=${limit}`);

/** The exact decayed sums, computed here: Σ w·2^(−(now − t)/halfLife). */
function expected(hits: { item: string; weight: number; at: number }[], now: number, halfLifeMs: number) {
  const heat = new Map<string, number>();
  for (const h of hits) heat.set(h.item, (heat.get(h.item) ?? 0) + h.weight * 2 ** (-(now - h.at) / halfLifeMs));
  return [...heat].sort((a, b) => b[1] - a[1]);
}

describe("a trending list", () => {
  it("orders items by their exact decayed sums, at every moment, without rescoring", async () => {
    await t.ok("PUT", "/api/trending/news", { halfLifeSeconds: 3600 }, 201);
    const hits: { item: string; weight: number; at: number }[] = [];
    const plan: [string, number, number][] = [
      ["old-big", 8, 0],
      ["steady", 1, 0],
      ["steady", 1, 1],
      ["steady", 1, 2],
      ["fresh", 3, 3],
      ["steady", 1, 3],
    ];
    for (const [item, weight, hour] of plan) {
      clock.set(Date.parse("2027-03-01T00:00:00.000Z") + hour * HOUR);
      await hit("news", item, weight);
      hits.push({ item, weight, at: clock.now() });
    }
    for (const later of [0, 0.5, 2, 10]) {
      clock.set(Date.parse("2027-03-01T03:00:00.000Z") + later * HOUR);
      const list = await read("news");
      const want = expected(hits, clock.now(), HOUR);
      expect(list.items.map((i) => i.item)).toEqual(want.map(([item]) => item));
      list.items.forEach((row, i) => {
        expect(row.rank).toBe(i + 1);
        expect(Math.abs(row.heat / (want[i]?.[1] ?? 0) - 1)).toBeLessThan(1e-12);
      });
    }
  });

  it("undoes a hit exactly, once, and drops an item whose hits are all undone", async () => {
    clock.set(Date.parse("2027-03-02T00:00:00.000Z"));
    await t.ok("PUT", "/api/trending/undo", { halfLifeSeconds: 600 }, 201);
    const a1 = await hit("undo", "a", 2);
    clock.advance(60_000);
    const b1 = await hit("undo", "b", 1);
    const a2 = await hit("undo", "a", 5);
    clock.advance(60_000);
    const undone = await t.ok<{ item: string; heat: number | null }>("DELETE", `/api/trending/undo/hits/${a2.id}`);
    const alone = 2 * 2 ** (-120_000 / 600_000);
    expect(undone.item).toBe("a");
    expect(Math.abs((undone.heat ?? 0) / alone - 1)).toBeLessThan(1e-12);
    const twice = await t.api("DELETE", `/api/trending/undo/hits/${a2.id}`);
    expect(twice.status).toBe(404);
    await t.ok("DELETE", `/api/trending/undo/hits/${a1.id}`);
    await t.ok("DELETE", `/api/trending/undo/hits/${b1.id}`);
    expect(await read("undo")).toMatchObject({ total: 0, items: [] });
    expect(await redisCommand("EXISTS", `${prefix}edgekit:tr:{undo}:items`, `${prefix}edgekit:tr:{undo}:meta`)).toBe(0);
  });

  it("stays under its cap on every write, dropping the coldest", async () => {
    clock.set(Date.parse("2027-03-03T00:00:00.000Z"));
    await t.ok("PUT", "/api/trending/capped", { halfLifeSeconds: 3600, cap: 3 }, 201);
    const weights: [string, number][] = [
      ["a", 5],
      ["b", 1],
      ["c", 4],
      ["d", 2],
      ["e", 3],
    ];
    for (const [item, weight] of weights) {
      await hit("capped", item, weight);
      expect(await redisCommand<number>("ZCARD", `${prefix}edgekit:tr:{capped}:items`)).toBeLessThanOrEqual(3);
    }
    expect((await read("capped")).items.map((i) => i.item)).toEqual(["a", "c", "e"]);
    // A hit too light to make the cut is dropped at once, and says so.
    expect((await hit("capped", "f", 0.5)).rank).toBeNull();
  });

  it("lets items that went cold disappear by themselves", async () => {
    clock.set(Date.parse("2027-03-04T00:00:00.000Z"));
    await t.ok("PUT", "/api/trending/cold", { halfLifeSeconds: 60 }, 201);
    await hit("cold", "gone", 1);
    clock.advance(30 * 60_000); // 30 half-lives: heat 2^-30 < 1e-6
    expect(await read("cold")).toMatchObject({ total: 0, items: [] });
    await hit("cold", "new", 1);
    expect(await redisCommand<string[]>("ZRANGE", `${prefix}edgekit:tr:{cold}:items`, 0, -1)).toEqual(["new"]);
  });

  it("costs one round trip per hit and per read", async () => {
    await t.ok("PUT", "/api/trending/trips", {}, 201);
    const one = await countRoundTrips(() => hit("trips", "x"));
    const two = await countRoundTrips(() => read("trips"));
    expect([one.roundTrips, two.roundTrips]).toEqual([1, 1]);
  });

  it("refuses a new half-life while it holds items, and hits on a list never created", async () => {
    const res = await t.api("PUT", "/api/trending/trips", { halfLifeSeconds: 60 });
    expect(await res.json()).toEqual(
      problemBody(
        409,
        "conflict",
        "Conflict",
        "The half-life cannot change while the list holds items (it is 86400 s): delete the list first.",
        "/api/trending/trips",
        { field: "halfLifeSeconds" },
      ),
    );
    expect((await t.api("PUT", "/api/trending/trips", { cap: 10 })).status).toBe(200);
    const missing = await t.api("POST", "/api/trending/nope/hits", { item: "x" });
    expect(missing.status).toBe(404);
    const cases: [unknown, string][] = [
      [{ item: "x", weight: 0 }, "must be > 0 (undo a hit by its id instead)"],
      [{ item: "x", weight: -1 }, "must be > 0 (undo a hit by its id instead)"],
      [{ item: "" }, "an item id is 1 to 256 characters"],
    ];
    for (const [body, message] of cases) {
      const bad = await t.api("POST", "/api/trending/trips/hits", body);
      expect([bad.status, ((await bad.json()) as { errors: { message: string }[] }).errors[0]?.message]).toEqual([
        422,
        message,
      ]);
    }
    expect((await t.api("DELETE", "/api/trending/trips")).status).toBe(204);
    expect((await t.api("GET", "/api/trending/trips")).status).toBe(404);
  });
});
