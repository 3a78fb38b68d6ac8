import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { submitScore } from "../../../src/lib/leaderboards/index.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, problemBody } from "../support.ts";
import { boardsApp, type PageReply } from "./helpers.ts";

const t = boardsApp("submit");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const config = loadConfig(t.bindings);

/** A session for `userId`, as the cookie header a browser would send. */
async function sessionCookie(userId: string): Promise<string> {
  const res = await t.api("POST", "/api/sessions", { userId });
  expect(res.status).toBe(201);
  const match = /^([^=]+)=([^;]*)/.exec(res.headers.get("set-cookie") ?? "");
  return `${match?.[1]}=${match?.[2]}`;
}

describe("submitting to a best board", () => {
  it("answers every window, and a lower score changes nothing, rank included", async () => {
    await t.createBoard("best", { rule: "best" });
    await t.submit("best", "alice", 50);
    const first = await t.submit("best", "bob", 70);
    expect(first.windows.all).toMatchObject({ score: 70, changed: true, rank: 1, previousRank: null, total: 2 });
    const lower = await t.submit("best", "bob", 10);
    expect(Object.keys(lower.windows).sort()).toEqual(["all", "day", "month", "week"]);
    for (const window of ["all", "day", "week", "month"]) {
      expect(lower.windows[window]).toMatchObject({ score: 70, changed: false, rank: 1, previousRank: 1, total: 2 });
    }
    const overtaken = await t.submit("best", "alice", 90);
    expect(overtaken.windows.week).toMatchObject({ score: 90, changed: true, rank: 1, previousRank: 2 });
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/best?window=all&member=bob");
    expect(page.entries).toEqual([
      { member: "alice", score: 90, rank: 1 },
      { member: "bob", score: 70, rank: 2 },
    ]);
    expect(page.member).toEqual({ member: "bob", score: 70, rank: 2 });
  });
});

describe("the update rules", () => {
  it("keep the best, the minimum, the last or the sum, on high and low boards", async () => {
    const cases: [string, Record<string, unknown>, number[], number][] = [
      ["best-high", { rule: "best", order: "high" }, [5, 9, 3], 9],
      ["best-low", { rule: "best", order: "low" }, [5, 9, 3, 4], 3],
      ["min-high", { rule: "min", order: "high" }, [5, 2, 9], 2],
      ["last-high", { rule: "last" }, [5, 9, 3], 3],
      ["sum-low", { rule: "sum", order: "low" }, [5, -9, 3], -1],
    ];
    for (const [board, settings, scores, expected] of cases) {
      await t.createBoard(board, { ...settings, windows: ["all"] });
      let last = 0;
      for (const score of scores) last = (await t.submit(board, "m", score)).windows.all?.score ?? Number.NaN;
      expect([board, last]).toEqual([board, expected]);
    }
  });

  it("keeps scores up to ±(2^53 − 1) exactly, and refuses a sum that would pass it", async () => {
    await t.createBoard("huge", { rule: "sum", windows: ["all", "day"] });
    const max = Number.MAX_SAFE_INTEGER;
    expect((await t.submit("huge", "a", max - 1)).windows.all?.score).toBe(max - 1);
    expect((await t.submit("huge", "a", 1)).windows.all?.score).toBe(max);
    await t.submit("huge", "b", -max);
    const res = await t.api("POST", "/api/leaderboards/huge/scores", { member: "a", score: 1 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: "score", message: "the sum would pass ±(2^53 − 1), the largest exact total" },
    ]);
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/huge?window=day");
    expect(page.entries).toEqual([
      { member: "a", score: max, rank: 1 },
      { member: "b", score: -max, rank: 2 },
    ]);
  });
});

describe("200 concurrent submits to a sum board", () => {
  it("leave exact totals in every window", async () => {
    await t.createBoard("race", { rule: "sum" });
    const members = ["ann", "ben", "cat", "dan"];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.api("POST", "/api/leaderboards/race/scores", { member: members[i % 4], score: i + 1 }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const expected = members.map((member, m) => ({
      member,
      score: Array.from({ length: 50 }, (_, j) => 4 * j + m + 1).reduce((a, b) => a + b, 0),
    }));
    for (const window of ["all", "day", "week", "month"]) {
      const page = await t.ok<PageReply>("GET", `/api/leaderboards/race?window=${window}`);
      expect(page.total).toBe(4);
      expect(
        page.entries.map(({ member, score }) => ({ member, score })).sort((a, b) => a.member.localeCompare(b.member)),
      ).toEqual(expected);
    }
  });
});

describe("round trips", () => {
  it("costs one for a submit and one for a read once the isolate knows the board", async () => {
    await t.createBoard("trips", { ties: "earliest" });
    await t.submit("trips", "warm", 1);
    const submit = await countRoundTrips(() => t.submit("trips", "alice", 10));
    const read = await countRoundTrips(() => t.ok("GET", "/api/leaderboards/trips?window=week&member=alice"));
    const around = await countRoundTrips(() => t.ok("GET", "/api/leaderboards/trips/around/alice?k=2"));
    const ranks = await countRoundTrips(() =>
      t.ok("POST", "/api/leaderboards/trips/ranks", { members: ["alice", "x"] }),
    );
    expect([submit.roundTrips, read.roundTrips, around.roundTrips, ranks.roundTrips]).toEqual([1, 1, 1, 1]);
  });

  it("notices settings written elsewhere (a stale copy costs one more trip, never a wrong write)", async () => {
    await t.createBoard("moving", { range: { min: 0, max: 10 }, windows: ["all"] });
    await t.submit("moving", "a", 10);
    const redis = createRedis(config);
    // Another isolate widens the range: this one's copy is now stale.
    const { putBoard } = await import("../../../src/lib/leaderboards/put-board.ts");
    const { rememberBoard, cachedBoard } = await import("../../../src/lib/leaderboards/board-store.ts");
    const old = cachedBoard(config, "moving");
    await putBoard(redis, config, Date.now(), "moving", { range: { min: 0, max: 100 }, windows: ["all"], rule: "sum" });
    if (old) rememberBoard(config, "moving", old);
    const { result, roundTrips } = await countRoundTrips(() =>
      submitScore(redis, config, { board: "moving", member: "a", score: 50, now: Date.now(), by: { kind: "server" } }),
    );
    expect(result.windows.all).toMatchObject({ score: 60, changed: true });
    expect(roundTrips).toBe(2);
  });
});

describe("who may submit", () => {
  it("lets a session user submit on a session board, as their own member only", async () => {
    await t.createBoard("open", { submit: "session", windows: ["all"] });
    await t.createBoard("closed", { windows: ["all"] });
    const cookie = await sessionCookie("player-1");
    const asUser = (board: string, body: unknown) =>
      t.request(`/api/leaderboards/${board}/scores`, {
        method: "POST",
        headers: jsonHeaders({ cookie }),
        body: JSON.stringify(body),
      });
    const own = await asUser("open", { score: 7 });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ member: "player-1", windows: { all: { score: 7, rank: 1 } } });
    const cases: [string, string, unknown, number, string][] = [
      [
        "another member",
        "open",
        { member: "player-2", score: 7 },
        403,
        "A signed-in user may submit scores for their own member only.",
      ],
      [
        "a server board",
        "closed",
        { score: 7 },
        403,
        'Board "closed" takes scores from the server only (submit: "server").',
      ],
    ];
    for (const [name, board, body, status, detail] of cases) {
      const res = await asUser(board, body);
      expect([name, res.status, ((await res.json()) as { detail: string }).detail]).toEqual([name, status, detail]);
    }
    const anonymous = await t.request("/api/leaderboards/open/scores", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ member: "x", score: 1 }),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("bad input", () => {
  it("is refused with a problem naming the field, and nothing is written", async () => {
    await t.createBoard("strict", { range: { min: 0, max: 100 }, windows: ["all"] });
    const path = "/api/leaderboards/strict/scores";
    const cases: [string, unknown, string][] = [
      ["a score above the range", { member: "a", score: 101 }, "must be between 0 and 100, the board's range"],
      ["a score below the range", { member: "a", score: -1 }, "must be between 0 and 100, the board's range"],
      ["a fraction", { member: "a", score: 1.5 }, "scores are integers with |score| ≤ 2^53 − 1 (9007199254740991)"],
      [
        "a score past 2^53",
        { member: "a", score: 2 ** 53 },
        "scores are integers with |score| ≤ 2^53 − 1 (9007199254740991)",
      ],
      ["a long member", { member: "m".repeat(257), score: 1 }, "a member id is at most 256 characters"],
      ["an empty member", { member: "", score: 1 }, "a member id is 1 to 256 characters"],
      ["no member with the admin token", { score: 1 }, "required with the admin token"],
    ];
    for (const [name, body, message] of cases) {
      const res = await t.request(path, {
        method: "POST",
        headers: adminHeaders(jsonHeaders()),
        body: JSON.stringify(body),
      });
      const problem = (await res.json()) as { status: number; errors: { message: string }[] };
      expect([name, res.status, problem.errors[0]?.message]).toEqual([name, 422, message]);
    }
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/strict");
    expect(page.total).toBe(0);
  });

  it("answers 404 for a board that does not exist", async () => {
    const res = await t.api("POST", "/api/leaderboards/nope/scores", { member: "a", score: 1 });
    expect(await res.json()).toEqual(
      problemBody(
        404,
        "not-found",
        "Not found",
        'No leaderboard "nope". Create it with PUT /api/leaderboards/nope.',
        "/api/leaderboards/nope/scores",
      ),
    );
  });
});
