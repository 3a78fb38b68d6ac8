import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup } from "../support.ts";
import { boardsApp, type PageReply, type Row } from "./helpers.ts";

const clock = manualClock(Date.now());
const t = boardsApp("ranks", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const rows = (page: { entries: Row[] }) => page.entries.map((r) => `${r.rank}:${r.member}:${r.score}`);

describe("shared ties", () => {
  it("give competition ranks (1, 2, 2, 4), on pages that start inside a tie too", async () => {
    await t.createBoard("shared", { windows: ["all"] });
    for (const [member, score] of [
      ["a", 90],
      ["b", 80],
      ["c", 80],
      ["d", 70],
      ["e", 80],
    ] as const) {
      await t.submit("shared", member, score);
    }
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/shared"))).toEqual([
      "1:a:90",
      "2:b:80",
      "2:c:80",
      "2:e:80",
      "5:d:70",
    ]);
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/shared?offset=2&limit=2"))).toEqual([
      "2:c:80",
      "2:e:80",
    ]);
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/shared?offset=3&limit=5"))).toEqual([
      "2:e:80",
      "5:d:70",
    ]);
    const submitted = await t.submit("shared", "f", 80);
    expect(submitted.windows.all).toMatchObject({ rank: 2, total: 6 });
  });

  it("rank low boards from the lowest score", async () => {
    await t.createBoard("golf", { order: "low", windows: ["all"] });
    for (const [member, score] of [
      ["a", 72],
      ["b", 68],
      ["c", 68],
      ["d", -3],
    ] as const)
      await t.submit("golf", member, score);
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/golf"))).toEqual([
      "1:d:-3",
      "2:b:68",
      "2:c:68",
      "4:a:72",
    ]);
  });
});

describe("earliest ties", () => {
  it("order equal scores by the time they were reached, exactly, at any magnitude", async () => {
    await t.createBoard("first", { ties: "earliest", windows: ["all", "day"] });
    const big = Number.MAX_SAFE_INTEGER - 1;
    // Each submit one millisecond after the last: "z" reaches the big score first.
    const order: [string, number][] = [
      ["z", big],
      ["y", big],
      ["x", 10],
      ["w", big],
      ["v", -big],
      ["u", 10],
    ];
    for (const [member, score] of order) {
      await t.submit("first", member, score);
      clock.advance(1);
    }
    const expected = [`1:z:${big}`, `2:y:${big}`, `3:w:${big}`, "4:x:10", "5:u:10", `6:v:${-big}`];
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/first?window=all"))).toEqual(expected);
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/first?window=day"))).toEqual(expected);
    // An equal score later changes nothing: the earlier time stands.
    const again = await t.submit("first", "z", big);
    expect(again.windows.all).toMatchObject({ changed: false, rank: 1, previousRank: 1 });
    // A better score moves a member, with its new time.
    const better = await t.submit("first", "u", big);
    expect(better.windows.all).toMatchObject({ changed: true, rank: 4, previousRank: 5 });
    expect(rows(await t.ok<PageReply>("GET", "/api/leaderboards/first?window=all&offset=3&limit=2"))).toEqual([
      `4:u:${big}`,
      "5:x:10",
    ]);
  });
});

describe("around a member", () => {
  it("returns 2k + 1 rows, shifted at the top and bottom edges so it stays full", async () => {
    await t.createBoard("ladder", { windows: ["all"], ties: "earliest" });
    for (let i = 1; i <= 10; i++) await t.submit("ladder", `m${i}`, 100 - i); // m1 is first
    const around = async (member: string, k = 2) =>
      (await t.ok<PageReply>("GET", `/api/leaderboards/ladder/around/${member}?k=${k}`)).entries.map((r) => r.member);
    expect(await around("m1")).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(await around("m2")).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(await around("m6")).toEqual(["m4", "m5", "m6", "m7", "m8"]);
    expect(await around("m10")).toEqual(["m6", "m7", "m8", "m9", "m10"]);
    expect(await around("m5", 50)).toHaveLength(10);
    const absent = await t.ok<PageReply>("GET", "/api/leaderboards/ladder/around/nobody");
    expect([absent.entries, absent.member, absent.total]).toEqual([[], null, 10]);
  });

  it("keeps shared ranks in its rows", async () => {
    await t.createBoard("flat", { windows: ["all"] });
    for (const m of ["a", "b", "c", "d"]) await t.submit("flat", m, 5);
    await t.submit("flat", "e", 1);
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/flat/around/e?k=1");
    expect(rows(page)).toEqual(["1:c:5", "1:d:5", "5:e:1"]);
  });
});

describe("ranks of given members", () => {
  it("answers each, in the order asked, with nulls for absent members", async () => {
    await t.createBoard("friends", { windows: ["all", "week"] });
    await t.submit("friends", "ann", 10);
    await t.submit("friends", "bob", 30);
    const reply = await t.ok<{ ranks: unknown[]; total: number }>(
      "POST",
      "/api/leaderboards/friends/ranks?window=week",
      {
        members: ["ann", "ghost", "bob"],
      },
    );
    expect(reply.ranks).toEqual([
      { member: "ann", score: 10, rank: 2 },
      { member: "ghost", score: null, rank: null },
      { member: "bob", score: 30, rank: 1 },
    ]);
    const tooMany = await t.api("POST", "/api/leaderboards/friends/ranks", {
      members: Array.from({ length: 101 }, (_, i) => `m${i}`),
    });
    expect(tooMany.status).toBe(422);
  });

  it("gives a page's member row as null when the member is absent", async () => {
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/friends?member=ghost");
    expect(page.member).toBeNull();
  });
});
