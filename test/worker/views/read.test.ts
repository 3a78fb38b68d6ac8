import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { pageKeys } from "../../../src/lib/views/keys.ts";
import { pageKeyOf } from "../../../src/lib/views/page-id.ts";
import { readViews } from "../../../src/lib/views/read-views.ts";
import { cleanup, countRoundTrips, redisCommand, testApp } from "../support.ts";
import { dayOf, ipOf, libContext, read, todayAt, view } from "./helpers.ts";

const DAY = 86_400_000;
const start = todayAt(9, 1);
const clock = manualClock(start);
const t = testApp("views-read", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("GET /api/views/{page}", () => {
  it("answers zeros for a page never viewed", async () => {
    const { status, body } = await read(t, "never", 2);
    expect(status).toBe(200);
    expect(body).toEqual({
      page: "never",
      views: 0,
      bots: 0,
      range: { days: 2, from: dayOf(start, -1), to: dayOf(start), views: 0, bots: 0, uniques: 0 },
      perDay: [
        { day: dayOf(start), views: 0, uniques: 0, bots: 0 },
        { day: dayOf(start, -1), views: 0, uniques: 0, bots: 0 },
      ],
    });
  });

  it("reports per-day views and uniques newest first, and counts a visitor once per day", async () => {
    // Day 1: visitors 0..9; day 2: visitors 0..4 again (ids rotate daily) and 5 views of visitor 0.
    for (let i = 0; i < 10; i++) await view(t, "daily", { ip: ipOf(i) });
    clock.advance(DAY);
    for (let i = 0; i < 5; i++) await view(t, "daily", { ip: ipOf(i) });
    const { body } = await read(t, "daily", 3);
    expect(body.views).toBe(15);
    expect(body.perDay).toEqual([
      { day: dayOf(start, 1), views: 5, uniques: 5, bots: 0 },
      { day: dayOf(start), views: 10, uniques: 10, bots: 0 },
      { day: dayOf(start, -1), views: 0, uniques: 0, bots: 0 },
    ]);
    // Visitor ids rotate every UTC day (no stable id exists anywhere), so a returning visitor is
    // new on each day: the union of the days equals the visitor-days here.
    expect(body.range).toMatchObject({ views: 15, uniques: 15 });
  });

  it("computes range uniques as a union over the days' HyperLogLogs, below the sum when ids repeat", async () => {
    const keys = pageKeys(t.bindings as { KEY_PREFIX: string }, await pageKeyOf("union"));
    const today = keys.uniques(dayOf(start, 1));
    const yesterday = keys.uniques(dayOf(start));
    // Seed the same 100 ids into both days, as a range with repeat visitors would hold them.
    const ids = Array.from({ length: 100 }, (_, i) => `seed-${i}`);
    await redisCommand("PFADD", today, ...ids);
    await redisCommand("PFADD", yesterday, ...ids);
    const { body } = await read(t, "union", 2);
    const sum = body.perDay.reduce((s: number, d: { uniques: number }) => s + d.uniques, 0);
    expect(sum).toBe(200);
    expect(body.range.uniques).toBe(100);
    expect(body.range.uniques).toBeLessThan(sum);
  });

  it("reads 30 days in one Redis round trip (one /pipeline)", async () => {
    const { config, redis } = libContext(t);
    const { result, roundTrips } = await countRoundTrips(() =>
      readViews(redis, config, { page: "daily", days: 30, now: clock.now() }),
    );
    expect(result.perDay).toHaveLength(30);
    expect(roundTrips).toBe(1);
    // Over HTTP, the default rate-limit policy is checked before the route, in a trip of its own.
    const http = await countRoundTrips(() => t.request("/api/views/daily?days=30"));
    expect(http.result.status).toBe(200);
    expect(http.roundTrips).toBe(2);
  });

  it("refuses more days than VIEWS_RETENTION_DAYS with a 422 problem", async () => {
    const res = await t.request("/api/views/daily?days=91");
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "query.days: must be at most 90 (VIEWS_RETENTION_DAYS)",
      instance: "/api/views/daily",
      errors: [{ path: "query.days", message: "must be at most 90 (VIEWS_RETENTION_DAYS)" }],
    });
  });
});
