import { describe, expect, it } from "vitest";
import {
  clientAddress,
  identifierSchema,
  ipIdentifier,
  storedIdentifier,
  userIdentifier,
} from "../../../src/lib/ratelimit/identifier.ts";

const SECRET = "test-hash-secret-0123456789";

describe("clientAddress", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002::abcd", "2001:db8:1:2::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["", "unknown"],
    [undefined, "unknown"],
    ["256.1.1.1", "unknown"],
    ["1:2:3:4:5:6:7:8:9", "unknown"],
    ["1::2::3", "unknown"],
    ["not-an-ip*", "unknown"],
  ])("reads %j as %s", (header, expected) => {
    expect(clientAddress(header)).toBe(expected);
  });
});

describe("ipIdentifier", () => {
  it("is a keyed hash of the address that never contains the address", async () => {
    const identifier = await ipIdentifier("203.0.113.9", SECRET);
    expect(identifier).toMatch(/^ip:hmac-[A-Za-z0-9_-]{22}$/);
    expect(identifier).not.toContain("203.0.113");
    expect(await ipIdentifier(" ::ffff:203.0.113.9", SECRET)).toBe(identifier);
    expect(await ipIdentifier("203.0.113.9", "another-secret-0123456789")).not.toBe(identifier);
    expect(await ipIdentifier("203.0.113.10", SECRET)).not.toBe(identifier);
  });

  it("counts a whole IPv6 /64 as one client, and anything else as ip:unknown", async () => {
    expect(await ipIdentifier("2001:db8:1:2::1", SECRET)).toBe(await ipIdentifier("2001:db8:1:2:ffff::9", SECRET));
    expect(await ipIdentifier("2001:db8:1:3::1", SECRET)).not.toBe(await ipIdentifier("2001:db8:1:2::1", SECRET));
    expect(await ipIdentifier("junk", SECRET)).toBe("ip:unknown");
    expect(await ipIdentifier(undefined, SECRET)).toBe("ip:unknown");
  });

  it("is what an admin's ip:<address> resolves to, so peek and reset find the client", async () => {
    for (const [header, written] of [
      ["203.0.113.9", "ip:203.0.113.9"],
      ["2001:db8:0:1::77", "ip:2001:db8:0:1::/64"],
      ["junk", "ip:unknown"],
    ] as const) {
      expect(identifierSchema.safeParse(written).success).toBe(true);
      expect(await storedIdentifier(written, SECRET)).toBe(await ipIdentifier(header, SECRET));
    }
    expect(await storedIdentifier("user:u_42", SECRET)).toBe("user:u_42");
    expect(await storedIdentifier("admin", SECRET)).toBe("admin");
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
