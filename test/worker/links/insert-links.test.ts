import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { insertLinks } from "../../../src/lib/links/insert-links.ts";
import type { PreparedLink } from "../../../src/lib/links/prepare-link.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips } from "../support.ts";
import { linksApp } from "./helpers.ts";

const t = linksApp("insert");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const config = loadConfig(t.bindings);
const redis = createRedis(config);

const prepared = (slug: string, random: boolean): PreparedLink => ({
  slug,
  random,
  fields: { url: "https://example.com/", createdAt: "1900000000000", updatedAt: "1900000000000" },
});

describe("insertLinks", () => {
  it("draws a new slug when a random one collides, and answers false for a taken custom slug", async () => {
    await t.create({ url: "https://example.com/x", slug: "Collide" });
    const random = prepared("Collide", true);
    const custom = prepared("Collide", false);
    // Load the plain script first (t.create ran the rate-limited one): whether an earlier file left
    // it in Redis's script cache would otherwise decide whether an EVAL fallback adds a round trip.
    await insertLinks(redis, config, [prepared("WarmUp", false)]);
    const { result, roundTrips } = await countRoundTrips(() => insertLinks(redis, config, [random, custom]));
    expect(result).toEqual([true, false]);
    expect(random.slug).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(random.slug).not.toBe("Collide");
    // The first try, then the retry of the collided random slug alone.
    expect(roundTrips).toBe(2);
    const res = await t.api("GET", `/api/links/${random.slug}`);
    expect(res.status).toBe(200);
  });
});
