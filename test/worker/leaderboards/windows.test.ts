import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { namedPeriod, periodAt } from "../../../src/lib/leaderboards/index.ts";
import { cleanup, redisCommand } from "../support.ts";
import { boardsApp, type PageReply } from "./helpers.ts";

const clock = manualClock(Date.parse("2027-10-30T21:59:59.999Z"));
const t = boardsApp("windows", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const at = (zone: string, instant: string, window: "day" | "week" | "month") => {
  const period = periodAt(window, zone, Date.parse(instant));
  return [period.id, iso(period.endsAt), iso(period.expiresAt)];
};

describe("periods in a board's time zone", () => {
  it("end at local midnight, DST days of 25 and 23 hours included", () => {
    expect([
      at("Europe/Berlin", "2027-10-30T21:59:59.999Z", "day"),
      at("Europe/Berlin", "2027-10-30T22:00:00.000Z", "day"),
      at("Europe/Berlin", "2027-03-27T22:59:59.999Z", "day"),
      at("Europe/Berlin", "2027-03-27T23:00:00.000Z", "day"),
    ]).toEqual([
      ["2027-10-30", "2027-10-30T22:00:00.000Z", "2027-10-31T23:00:00.000Z"],
      ["2027-10-31", "2027-10-31T23:00:00.000Z", "2027-11-01T23:00:00.000Z"],
      ["2027-03-27", "2027-03-27T23:00:00.000Z", "2027-03-28T22:00:00.000Z"],
      ["2027-03-28", "2027-03-28T22:00:00.000Z", "2027-03-29T22:00:00.000Z"],
    ]);
  });

  it("start a day at its first instant where DST skips midnight (Santiago)", () => {
    expect(at("America/Santiago", "2027-09-05T03:59:59.999Z", "day")).toEqual([
      "2027-09-04",
      "2027-09-05T04:00:00.000Z",
      "2027-09-06T03:00:00.000Z",
    ]);
  });

  it("use ISO weeks (Monday to Sunday, the week-year of its Thursday) and local months", () => {
    expect([
      at("UTC", "2026-12-31T12:00:00.000Z", "week"),
      at("UTC", "2027-01-03T23:59:59.999Z", "week"),
      at("UTC", "2027-01-04T00:00:00.000Z", "week"),
      at("Europe/Berlin", "2027-10-30T21:59:59.999Z", "week"),
      at("Europe/Berlin", "2027-10-31T22:59:59.999Z", "month"),
      at("Pacific/Kiritimati", "2026-12-31T09:59:59.999Z", "month"),
    ]).toEqual([
      ["2026-W53", "2027-01-04T00:00:00.000Z", "2027-01-11T00:00:00.000Z"],
      ["2026-W53", "2027-01-04T00:00:00.000Z", "2027-01-11T00:00:00.000Z"],
      ["2027-W01", "2027-01-11T00:00:00.000Z", "2027-01-18T00:00:00.000Z"],
      ["2027-W43", "2027-10-31T23:00:00.000Z", "2027-11-07T23:00:00.000Z"],
      ["2027-10", "2027-10-31T23:00:00.000Z", "2027-11-30T23:00:00.000Z"],
      ["2026-12", "2026-12-31T10:00:00.000Z", "2027-01-31T10:00:00.000Z"],
    ]);
  });

  it("accept only ids that name a real period", () => {
    const ids: [string, "day" | "week" | "month", string | undefined][] = [
      ["2026-W53", "week", "2026-W53"],
      ["2027-W53", "week", undefined],
      ["2027-W00", "week", undefined],
      ["2027-02-29", "day", undefined],
      ["2028-02-29", "day", "2028-02-29"],
      ["2027-13", "month", undefined],
      ["2027-1", "month", undefined],
      ["2027-10", "day", undefined],
    ];
    expect(ids.map(([id, window]) => namedPeriod(window, "UTC", id)?.id)).toEqual(
      ids.map(([, , expected]) => expected),
    );
  });
});

describe("windows under a test clock", () => {
  it("roll over at the board's local midnight, keep last period readable, and expire it by themselves", async () => {
    await t.createBoard("berlin", { rule: "sum", timeZone: "Europe/Berlin" });
    const before = await t.submit("berlin", "ann", 5);
    expect(before.windows.day).toMatchObject({ period: "2027-10-30", score: 5, endsAt: "2027-10-30T22:00:00.000Z" });
    expect(before.windows.week).toMatchObject({ period: "2027-W43", endsAt: "2027-10-31T23:00:00.000Z" });
    expect(before.windows.all).toMatchObject({ period: "all", endsAt: null });

    clock.advance(1); // 00:00:00.000 on Sunday 31 October in Berlin, the 25-hour day
    const after = await t.submit("berlin", "ann", 3);
    expect(after.windows.day).toMatchObject({
      period: "2027-10-31",
      score: 3,
      previousRank: null,
      endsAt: "2027-10-31T23:00:00.000Z",
    });
    expect(after.windows.week).toMatchObject({ period: "2027-W43", score: 8, previousRank: 1 });
    expect(after.windows.all).toMatchObject({ score: 8 });

    const yesterday = await t.ok<PageReply>("GET", "/api/leaderboards/berlin?window=day&period=2027-10-30");
    expect(yesterday).toMatchObject({ period: "2027-10-30", endsAt: "2027-10-30T22:00:00.000Z", total: 1 });
    expect(yesterday.entries).toEqual([{ member: "ann", score: 5, rank: 1 }]);
    const today = await t.ok<PageReply>("GET", "/api/leaderboards/berlin?window=day");
    expect(today.entries).toEqual([{ member: "ann", score: 3, rank: 1 }]);

    // No cron: each period's keys carry their own expiry, the end of the period after them.
    const key = (window: string, period: string) => `${t.bindings.KEY_PREFIX}edgekit:lb:{berlin}:${window}:${period}`;
    const expiry = async (k: string) => iso(await redisCommand<number>("PEXPIRETIME", k));
    expect(
      await Promise.all([
        expiry(key("day", "2027-10-30")),
        expiry(key("day", "2027-10-31")),
        expiry(key("week", "2027-W43")),
        expiry(key("month", "2027-10")),
        redisCommand<number>("PEXPIRETIME", key("all", "all")),
      ]),
    ).toEqual([
      "2027-10-31T23:00:00.000Z",
      "2027-11-01T23:00:00.000Z",
      "2027-11-07T23:00:00.000Z",
      "2027-11-30T23:00:00.000Z",
      -1,
    ]);
  });

  it("really are gone once their expiry passes", async () => {
    // A board whose day ended long ago: its keys expire at once, and the period reads empty.
    const past = boardsApp("windows-past", { clock: manualClock(Date.parse("2020-01-01T12:00:00.000Z")) });
    await past.createBoard("old", { windows: ["day"] });
    await past.submit("old", "ann", 5);
    const page = await past.ok<PageReply>("GET", "/api/leaderboards/old?period=2020-01-01");
    expect([page.total, page.entries]).toEqual([0, []]);
    await cleanup(past.bindings.KEY_PREFIX ?? "");
  });

  it("refuse a window the board does not keep, and a period that is not one", async () => {
    await t.createBoard("daily", { windows: ["day"] });
    const cases: [string, string][] = [
      ["?window=week", 'window: board "daily" keeps day, not week'],
      [
        "?period=2027-W43",
        "period: not a day period: a day is 2026-11-23, an ISO week 2026-W48, a month 2026-11; the all window has none",
      ],
      [
        "?period=2027-02-30",
        "period: not a day period: a day is 2026-11-23, an ISO week 2026-W48, a month 2026-11; the all window has none",
      ],
    ];
    for (const [query, detail] of cases) {
      const res = await t.api("GET", `/api/leaderboards/daily${query}`);
      expect([query, res.status, ((await res.json()) as { detail: string }).detail]).toEqual([query, 422, detail]);
    }
  });
});
