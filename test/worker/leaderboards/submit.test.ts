import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { boardsApp, type PageReply } from "./helpers.ts";

const t = boardsApp("submit");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("submitting to a best board", () => {
  it("answers every window, and a lower score changes nothing, rank included", async () => {
    await t.createBoard("best", { rule: "best" });
    await t.submit("best", "alice", 50);
    const first = await t.submit("best", "bob", 70);
    expect(first.windows.all).toMatchObject({ score: 70, changed: true, rank: 1, previousRank: null, total: 2 });
    const lower = await t.submit("best", "bob", 10);
    for (const window of ["all", "day", "week", "month"]) {
      expect(lower.windows[window]).toMatchObject({ score: 70, changed: false, rank: 1, previousRank: 1, total: 2 });
    }
    const page = await t.ok<PageReply>("GET", "/api/leaderboards/best?window=all&member=alice");
    expect(page.entries).toEqual([
      { member: "bob", score: 70, rank: 1 },
      { member: "alice", score: 50, rank: 2 },
    ]);
    expect(page.member).toEqual({ member: "alice", score: 50, rank: 2 });
  });
});
