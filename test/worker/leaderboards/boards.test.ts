import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, keysWithPrefix, problemBody, redisCommand } from "../support.ts";
import { boardsApp } from "./helpers.ts";

const clock = manualClock(Date.now());
const t = boardsApp("boards", { clock });
const prefix = t.bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

const SETTINGS = {
  order: "high",
  rule: "sum",
  windows: ["all", "day", "week", "month"],
  timeZone: "UTC",
  ties: "shared",
  range: { min: 0, max: 1000000 },
  submit: "server",
};

describe("a board's settings", () => {
  it("are stored with the issue's field names, returned by GET with a page, and replaced by PUT", async () => {
    const created = await t.createBoard("crud", SETTINGS);
    expect(created).toMatchObject({ key: "crud", ...SETTINGS });
    const read = await t.ok<{ board: unknown }>("GET", "/api/leaderboards/crud");
    expect(read.board).toEqual(created);
    const replaced = await t.ok("PUT", "/api/leaderboards/crud", { ...SETTINGS, rule: "best", windows: ["week"] });
    expect(replaced).toMatchObject({ rule: "best", windows: ["week"], createdAt: created.createdAt });
    const listed = await t.ok<{ boards: { key: string }[] }>("GET", "/api/leaderboards");
    expect(listed.boards.map((b) => b.key)).toContain("crud");
  });

  it("have defaults for every field", async () => {
    expect(await t.createBoard("defaults")).toMatchObject({
      order: "high",
      rule: "best",
      windows: ["all", "day", "week", "month"],
      timeZone: "UTC",
      ties: "shared",
      range: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
      submit: "server",
    });
  });

  it("refuse a change of order, ties or time zone (the stored scores depend on them)", async () => {
    await t.createBoard("fixed", SETTINGS);
    const cases: [Record<string, unknown>, string][] = [
      [
        { order: "low" },
        'A board\'s order cannot change (it is "high"): the stored scores depend on it. Delete the board first.',
      ],
      [
        { ties: "earliest" },
        'A board\'s ties cannot change (it is "shared"): the stored scores depend on it. Delete the board first.',
      ],
      [
        { timeZone: "Asia/Tokyo" },
        'A board\'s timeZone cannot change (it is "UTC"): the stored scores depend on it. Delete the board first.',
      ],
    ];
    for (const [change, detail] of cases) {
      const res = await t.api("PUT", "/api/leaderboards/fixed", { ...SETTINGS, ...change });
      expect(await res.json()).toEqual(
        problemBody(409, "conflict", "Conflict", detail, "/api/leaderboards/fixed", { field: Object.keys(change)[0] }),
      );
    }
  });

  it("are validated whole", async () => {
    const cases: [string, unknown, { path: string; message: string }[]][] = [
      [
        "an unknown rule",
        { rule: "max" },
        [{ path: "rule", message: 'Invalid option: expected one of "best"|"sum"|"last"|"min"' }],
      ],
      ["no windows", { windows: [] }, [{ path: "windows", message: "keep at least one window" }]],
      ["a repeated window", { windows: ["day", "day"] }, [{ path: "windows", message: "windows must be unique" }]],
      [
        "an unknown time zone",
        { timeZone: "Mars/Olympus" },
        [{ path: "timeZone", message: "use an IANA time zone such as UTC or Europe/Paris" }],
      ],
      ["an upside-down range", { range: { min: 5, max: 1 } }, [{ path: "range.min", message: "min must be ≤ max" }]],
      [
        "a fractional bound",
        { range: { min: 0.5, max: 1 } },
        [{ path: "range.min", message: "scores are integers with |score| ≤ 2^53 − 1 (9007199254740991)" }],
      ],
      ["an unknown field", { colour: "red" }, [{ path: "", message: 'Unrecognized key: "colour"' }]],
    ];
    for (const [name, body, errors] of cases) {
      const res = await t.api("PUT", "/api/leaderboards/bad", body);
      expect([name, res.status, ((await res.json()) as { errors: unknown }).errors]).toEqual([name, 422, errors]);
    }
    const badKey = await t.api("PUT", `/api/leaderboards/${"k".repeat(129)}`, {});
    expect(badKey.status).toBe(422);
  });
});

describe("deleting a board", () => {
  it("removes the settings and every window, this period's and last period's", async () => {
    await t.createBoard("doomed", { ties: "earliest" });
    clock.set(Date.parse("2027-01-31T23:59:59.999Z")); // the last instant of a Sunday and of January
    await t.submit("doomed", "a", 1);
    clock.advance(1); // into the next day, week and month: two periods of each now exist
    await t.submit("doomed", "a", 2);
    const before = await keysWithPrefix(`${prefix}edgekit:lb:{doomed}`);
    expect(before.length).toBe(1 + 3 * (1 + 2 + 2 + 2)); // hash + (scores, order, since) per period
    const res = await t.api("DELETE", "/api/leaderboards/doomed");
    expect(res.status).toBe(204);
    expect(await keysWithPrefix(`${prefix}edgekit:lb:{doomed}`)).toEqual([]);
    expect((await t.api("GET", "/api/leaderboards/doomed")).status).toBe(404);
    expect((await t.api("DELETE", "/api/leaderboards/doomed")).status).toBe(404);
    expect((await t.api("POST", "/api/leaderboards/doomed/scores", { member: "a", score: 1 })).status).toBe(404);
  });
});

describe("the number of boards", () => {
  it("is at most 1,000", async () => {
    const index = `${prefix}edgekit:lbs`;
    const existing = await redisCommand<number>("ZCARD", index);
    const fillers = Array.from({ length: 1000 - existing }, (_, i) => [0, `filler-${i}`]).flat();
    await redisCommand("ZADD", index, ...fillers);
    const res = await t.api("PUT", "/api/leaderboards/one-too-many", {});
    expect(await res.json()).toEqual(
      problemBody(
        409,
        "conflict",
        "Conflict",
        "There are 1000 leaderboards already: delete one first.",
        "/api/leaderboards/one-too-many",
        {
          limit: 1000,
        },
      ),
    );
    // Replacing an existing board is still allowed.
    expect((await t.api("PUT", "/api/leaderboards/defaults", {})).status).toBe(200);
    await redisCommand("ZREM", index, ...fillers.filter((_, i) => i % 2 === 1));
  });
});
