import { afterAll, describe, expect, it } from "vitest";
import { cleanup, countRoundTrips, keysWithPrefix } from "../support.ts";
import { linksApp } from "./helpers.ts";

const t = linksApp("bulk");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

interface BulkBody {
  created: number;
  failed: number;
  results: { index: number; ok: boolean; status: number; link?: { slug: string; url: string }; error?: unknown }[];
}

describe("POST /api/links/bulk", () => {
  it("creates the good items and reports each bad one, in the request's order", async () => {
    await t.create({ url: "https://example.com/old", slug: "bulk-taken" });
    const res = await t.api("POST", "/api/links/bulk", {
      links: [
        { url: "https://example.com/1" },
        { url: "javascript:alert(1)", slug: "bulk-bad" },
        { url: "https://example.com/3", slug: "bulk-three" },
        { url: "https://example.com/4", slug: "bulk-taken" },
        "not an object",
        { url: "https://example.com/6", slug: "bulk-three" },
        { url: "https://edgekit.test/self" },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as BulkBody;
    expect(body.created).toBe(2);
    expect(body.failed).toBe(5);
    expect(body.results.map((r) => [r.index, r.ok, r.status])).toEqual([
      [0, true, 201],
      [1, false, 422],
      [2, true, 201],
      [3, false, 409],
      [4, false, 422],
      [5, false, 409],
      [6, false, 422],
    ]);
    expect(body.results[0]?.link?.url).toBe("https://example.com/1");
    expect(body.results[2]?.link?.slug).toBe("bulk-three");
    expect(body.results[1]?.error).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "url: must use http or https",
      errors: [{ path: "url", message: "must use http or https" }],
    });
    expect(body.results[3]?.error).toEqual({
      type: "https://edgekit.dev/problems/conflict",
      title: "Conflict",
      status: 409,
      detail: 'The slug "bulk-taken" is taken.',
    });
    expect(body.results[4]?.error).toMatchObject({ status: 422, errors: [{ path: "" }] });
    expect(await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:link:{bulk-bad}`)).toEqual([]);
  });

  it("writes 100 links in one round trip", async () => {
    await t.create({ url: "https://example.com/warm" });
    const links = Array.from({ length: 100 }, (_, i) => ({ url: `https://example.com/n/${i}` }));
    const { result, roundTrips } = await countRoundTrips(() => t.api("POST", "/api/links/bulk", { links }));
    const body = (await result.json()) as BulkBody;
    expect(body.created).toBe(100);
    expect(new Set(body.results.map((r) => r.link?.slug)).size).toBe(100);
    // One for the rate-limit spend (one unit per link, "bulk-create-links"), one for the write.
    expect(roundTrips).toBe(2);
  });

  it.each([
    ["an empty list", { links: [] }, "links", "Too small: expected array to have >=1 items"],
    [
      "101 items",
      { links: Array.from({ length: 101 }, () => ({ url: "https://example.com" })) },
      "links",
      "Too big: expected array to have <=100 items",
    ],
    ["no list", {}, "links", "Invalid input: expected array, received undefined"],
  ])("refuses %s as a whole with a 422", async (_, body, path, message) => {
    const res = await t.api("POST", "/api/links/bulk", body);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: `${path}: ${message}`,
      instance: "/api/links/bulk",
      errors: [{ path, message }],
    });
  });
});
