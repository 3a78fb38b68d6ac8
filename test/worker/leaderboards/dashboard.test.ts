import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { signIn } from "../dashboard/session.ts";
import { xmlProblems } from "../dashboard/xml.ts";
import { cleanup } from "../support.ts";
import { boardsApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2027-05-05T18:30:00.000Z"));
const t = boardsApp("dashboard", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

let cookie = "";
beforeAll(async () => {
  cookie = await signIn(t);
});
const page = async (path: string) => {
  const res = await t.request(path, { headers: { cookie }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
};

describe("the leaderboards pages", () => {
  it("list the boards, and show each window's top with the time until it resets", async () => {
    expect((await page("/admin/leaderboards")).html).toContain("No boards yet");
    await t.createBoard("dash-board", { rule: "sum", windows: ["day", "all"], timeZone: "Europe/Paris" });
    await t.submit("dash-board", "alice", 40);
    await t.submit("dash-board", "bob", 25);
    const list = await page("/admin/leaderboards");
    expect(list.html).toContain('<a href="/admin/leaderboards/dash-board">dash-board</a>');
    const board = await page("/admin/leaderboards/dash-board");
    expect(board.status).toBe(200);
    // 20:30 in Paris: the day resets at 22:00 UTC, in 3 h 30 min.
    expect(board.html).toContain("day 2027-05-05");
    expect(board.html).toContain("resets in 3 h 30 min (2027-05-05T22:00:00.000Z)");
    expect(board.html).toContain("All time");
    expect(board.html).toMatch(/<td class="num">1<\/td><td>alice<\/td><td class="num">40<\/td>/);
    expect((await page("/admin/leaderboards/none")).status).toBe(404);
    expect((await page("/admin/leaderboards/a%7Bb")).status).toBe(404);
  });
});

describe("the trending pages", () => {
  it("list the lists, and show one list's hottest items with their heat", async () => {
    await t.ok("PUT", "/api/trending/dash-list", { halfLifeSeconds: 3600 }, 201);
    await t.ok("POST", "/api/trending/dash-list/hits", { item: "post-1", weight: 4 });
    await t.ok("POST", "/api/trending/dash-list/hits", { item: "post-2", weight: 1 });
    clock.advance(3_600_000);
    cookie = await signIn(t); // the hour outlived the admin session's idle timeout
    expect((await page("/admin/trending")).html).toContain('<a href="/admin/trending/dash-list">dash-list</a>');
    const list = await page("/admin/trending/dash-list");
    expect(list.html).toMatch(/<td class="num">1<\/td><td>post-1<\/td><td class="num">2.00<\/td>/);
    expect(list.html).toMatch(/<td class="num">2<\/td><td>post-2<\/td><td class="num">0.500<\/td>/);
    for (const svg of list.html.match(/<svg[\s\S]*?<\/svg>/g) ?? []) expect(xmlProblems(svg)).toEqual([]);
    expect((await page("/admin/trending/none")).status).toBe(404);
  });
});
