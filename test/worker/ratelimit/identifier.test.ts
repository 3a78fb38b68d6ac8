import { describe, expect, it } from "vitest";
import { identifierSchema, ipIdentifier, userIdentifier } from "../../../src/lib/ratelimit/identifier.ts";

describe("ipIdentifier", () => {
  it.each([
    ["203.0.113.9", "ip:203.0.113.9"],
    [" 203.0.113.9 ", "ip:203.0.113.9"],
    ["::ffff:203.0.113.9", "ip:203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002::abcd", "ip:2001:db8:1:2::/64"],
    ["2001:db8::", "ip:2001:db8:0:0::/64"],
    ["::1", "ip:0:0:0:0::/64"],
    ["", "ip:unknown"],
    [undefined, "ip:unknown"],
    ["256.1.1.1", "ip:unknown"],
    ["1:2:3:4:5:6:7:8:9", "ip:unknown"],
    ["1::2::3", "ip:unknown"],
    ["not-an-ip*", "ip:unknown"],
  ])("turns %j into %s", (header, expected) => {
    expect(ipIdentifier(header)).toBe(expected);
  });

  it("only ever yields identifiers the admin routes accept", () => {
    for (const header of ["203.0.113.9", "2001:db8::1", "::1", "junk"]) {
      expect(identifierSchema.safeParse(ipIdentifier(header)).success).toBe(true);
    }
  });
});

describe("userIdentifier", () => {
  it("keeps a key-safe user id and hashes any other", async () => {
    expect(await userIdentifier("u_42")).toBe("user:u_42");
    const hashed = await userIdentifier("ünïcode {with} *globs*");
    expect(hashed).toMatch(/^user:sha256-[0-9a-f]{32}$/);
    expect(identifierSchema.safeParse(hashed).success).toBe(true);
    expect(await userIdentifier("ünïcode {with} *globs*")).toBe(hashed);
  });
});
