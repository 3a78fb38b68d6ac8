import { describe, expect, it } from "vitest";
import { bucketOf, inRollout, murmur3, pickWeighted } from "../../src/lib/bucketing.ts";

describe("murmur3", () => {
  // Published MurmurHash3_x86_32 vectors (SMHasher / the reference implementation).
  it.each([
    ["", 0, 0x00000000],
    ["", 1, 0x514e28b7],
    ["", 0xffffffff, 0x81f16f39],
    ["\u0000\u0000\u0000\u0000", 0, 0x2362f9de],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["aaa", 0x9747b28c, 0x283e0130],
    ["aa", 0x9747b28c, 0x5d211726],
    ["a", 0x9747b28c, 0x7fa09ea6],
    ["abcd", 0x9747b28c, 0xf0478627],
    ["Hello, world!", 0x9747b28c, 0x24884cba],
    ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
    ["ππππππππ", 0x9747b28c, 0xd58063c1],
  ])("hashes %j with seed %i to the published value", (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });
});

describe("bucketOf", () => {
  it("puts a unit in the same bucket every time, within 0..9999", () => {
    const bucket = bucketOf("salt", "user-1");
    expect(bucket).toBe(bucketOf("salt", "user-1"));
    expect(bucket).toBe(murmur3("salt:user-1") % 10000);
    expect(bucket).toBeGreaterThanOrEqual(0);
    expect(bucket).toBeLessThan(10000);
  });

  it("spreads 10,000 units evenly across ten deciles", () => {
    const deciles = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) deciles[Math.floor(bucketOf("spread", `u${i}`) / 1000)]++;
    for (const count of deciles) {
      expect(count).toBeGreaterThan(900);
      expect(count).toBeLessThan(1100);
    }
  });
});

describe("inRollout", () => {
  it("only adds units when the percentage rises", () => {
    const units = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    let previous = new Set<string>();
    for (const pct of [0, 5, 10, 30, 50, 99.99, 100]) {
      const inside = new Set(units.filter((u) => inRollout("flag-salt", u, pct)));
      for (const u of previous) expect(inside.has(u)).toBe(true);
      previous = inside;
    }
    expect(previous.size).toBe(2000);
  });

  it("lets 0% in nobody and 100% everybody", () => {
    expect(inRollout("s", "anyone", 0)).toBe(false);
    expect(inRollout("s", "anyone", 100)).toBe(true);
  });
});

describe("pickWeighted", () => {
  const variants = [
    { name: "control", weight: 1 },
    { name: "b", weight: 3 },
  ];
  it("maps positions to variants by cumulative weight", () => {
    expect(pickWeighted(variants, 0)?.name).toBe("control");
    expect(pickWeighted(variants, 0.2499)?.name).toBe("control");
    expect(pickWeighted(variants, 0.25)?.name).toBe("b");
    expect(pickWeighted(variants, 0.9999)?.name).toBe("b");
  });
  it("returns nothing when every weight is zero", () => {
    expect(pickWeighted([{ weight: 0 }], 0.5)).toBeUndefined();
  });
});
