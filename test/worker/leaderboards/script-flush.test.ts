import { afterAll, describe, expect, it } from "vitest";
import { cleanup, redisCommand } from "../support.ts";
import { boardsApp } from "./helpers.ts";

const t = boardsApp("script-flush");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

describe("every leaderboards and trending script after SCRIPT FLUSH", () => {
  it("still works through the EVAL fallback, rate-limit prologue included", async () => {
    const steps: [string, () => Promise<unknown>][] = [
      ["put board", () => t.createBoard("flush", { ties: "earliest" })],
      ["submit", () => t.submit("flush", "a", 5)],
      ["read a page", () => t.ok("GET", "/api/leaderboards/flush?member=a")],
      ["around", () => t.ok("GET", "/api/leaderboards/flush/around/a")],
      ["ranks", () => t.ok("POST", "/api/leaderboards/flush/ranks", { members: ["a"] })],
      ["delete board", () => t.ok("DELETE", "/api/leaderboards/flush", undefined, 204)],
      ["put list", () => t.ok("PUT", "/api/trending/flush", {}, 201)],
      ["hit", () => t.ok("POST", "/api/trending/flush/hits", { item: "x" })],
      ["read a list", () => t.ok("GET", "/api/trending/flush")],
      ["delete list", () => t.ok("DELETE", "/api/trending/flush", undefined, 204)],
    ];
    const done: string[] = [];
    for (const [name, step] of steps) {
      await flush();
      await step();
      done.push(name);
    }
    expect(done).toEqual(steps.map(([name]) => name));
  });

  it("undoes a hit after a flush", async () => {
    await t.ok("PUT", "/api/trending/flush-undo", {}, 201);
    const { id } = await t.ok<{ id: string }>("POST", "/api/trending/flush-undo/hits", { item: "x" });
    await flush();
    expect(await t.ok("DELETE", `/api/trending/flush-undo/hits/${id}`)).toEqual({ item: "x", heat: null });
  });
});
