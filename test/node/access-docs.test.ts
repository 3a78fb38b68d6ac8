import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { covers, grantProblem, SCOPES, scopesMarkdown } from "../../src/lib/access/scopes.ts";

describe("docs/access.md", () => {
  it("carries the scope table exactly as src/lib/access/scopes.ts generates it", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/access.md"), "utf8");
    const table = /<!-- scopes:start -->\n([\s\S]*?)\n<!-- scopes:end -->/.exec(doc)?.[1];
    expect(table).toBe(scopesMarkdown());
  });
});

describe("scopes", () => {
  it("has the primitives' scopes, including those of primitives built beside it", () => {
    for (const scope of [
      "cache:purge",
      "cache:read",
      "channels:publish:{channel}",
      "notifications:write",
      "presence:write",
      "leaderboards:write:{board}",
      "keys:write",
    ]) {
      expect(SCOPES).toHaveProperty([scope]);
    }
  });

  it.each([
    ["links:write", "links:write", true],
    ["links:*", "links:write", true],
    ["links:read", "links:write", false],
    ["flags:*", "links:write", false],
    ["leaderboards:write", "leaderboards:write:games", true],
    ["leaderboards:write:eu-*", "leaderboards:write:eu-west", true],
    ["leaderboards:write:eu-*", "leaderboards:write:us-east", false],
    ["leaderboards:write:eu-*", "leaderboards:write:eu-*", true],
    ["leaderboards:write:eu-*", "leaderboards:write:e*", false],
    ["leaderboards:write:eu-*", "leaderboards:write", false],
    ["leaderboards:write:a", "leaderboards:write:a:b", false],
    ["channels:publish:orders.*", "channels:publish:orders.eu", true],
  ])("%s covers %s: %s", (held, wanted, expected) => {
    expect(covers(held, wanted)).toBe(expected);
  });

  it.each([
    ["links:write", undefined],
    ["links:*", undefined],
    ["leaderboards:write:eu-*", undefined],
    ["links:fly", '"links:fly" is not a scope; see GET /api/keys/scopes'],
    ["*", '"*" is not a scope; see GET /api/keys/scopes'],
    ["links:read:x", '"links:read" takes no pattern'],
    ["links:*:x", '"links:*:x": a wildcard takes no pattern'],
    ["leaderboards:write:a b", '"leaderboards:write:a b": a pattern is 1-64 of A-Z a-z 0-9 _ . - *'],
  ])("granting %s: %s", (scope, problem) => {
    expect(grantProblem(scope)).toBe(problem);
  });
});

describe("pattern matching", () => {
  it.each([
    ["*", "", true],
    ["a*", "a", true],
    ["a*c", "abbbc", true],
    ["a*c", "abbbd", false],
    ["*b*", "abc", true],
    ["a.b", "axb", false],
  ])("%s on %s: %s", (glob, value, expected) => {
    expect(covers(`channels:publish:${glob}`, `channels:publish:${value}`)).toBe(expected);
  });

  it("takes no time on a pathological pattern", () => {
    const started = performance.now();
    expect(covers(`channels:publish:${"a*".repeat(31)}c`, `channels:publish:${"a".repeat(64)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
