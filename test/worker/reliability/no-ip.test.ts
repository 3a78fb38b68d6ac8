import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders } from "../support.ts";
import { asAdmin, BROWSER, dumpPrefix, expectStatus, ORIGIN, reliabilityApp } from "./helpers.ts";

// Small quotas on some policies, so that blocks (and the library's block bookkeeping) happen too.
const t = reliabilityApp("no-ip", {
  bindings: { RATE_LIMITS: JSON.stringify({ "unlock-link": { limit: 2 }, conversions: { limit: 3 } }) },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const IPV4 = "203.0.113.77";
const IPV6 = "2001:db8:77:77::1";

describe("client addresses in Redis", () => {
  it("appear in no key and no value after traffic on every public route from known addresses", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/" }),
      201,
    );
    const locked = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/", password: "open sesame" }),
      201,
    );
    await expectStatus(
      asAdmin(t, "PUT", "/api/flags/ipless", {
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
      }),
      201,
    );
    await expectStatus(
      asAdmin(t, "PUT", "/api/experiments/ipless", {
        variants: [
          { name: "a", weight: 50 },
          { name: "b", weight: 50 },
        ],
        status: "running",
        goals: ["buy"],
      }),
      201,
    );

    for (const ip of [IPV4, IPV6, `::ffff:${IPV4}`]) {
      const client = { "cf-connecting-ip": ip, "user-agent": BROWSER, referer: "https://ref.example/" };
      const json = jsonHeaders(client);
      const statuses = [
        (await t.request(`/${link.slug}`, { headers: client, redirect: "manual" })).status,
        (await t.request(`/${link.slug}?utm=1`, { headers: client, redirect: "manual" })).status,
        (await t.request("/api/views/ipless", { method: "POST", headers: client })).status,
        (
          await t.request(`/api/views?url=${encodeURIComponent("https://site.example/a")}`, {
            method: "POST",
            headers: client,
          })
        ).status,
        (await t.request("/api/views/ipless", { headers: client })).status,
        (
          await t.request("/ofrep/v1/evaluate/flags/ipless", {
            method: "POST",
            headers: json,
            body: '{"context":{"targetingKey":"u"}}',
          })
        ).status,
        (
          await t.request("/api/experiments/ipless/assignment", {
            method: "POST",
            headers: json,
            body: '{"unitId":"u1"}',
          })
        ).status,
        (
          await t.request("/api/experiments/ipless/conversions", {
            method: "POST",
            headers: json,
            body: '{"unitId":"u1","goal":"buy"}',
          })
        ).status,
      ];
      // The IPv4-mapped address is the IPv4 client again, whose conversions quota is spent by now.
      expect(statuses.slice(0, 7)).toEqual([302, 302, 200, 200, 200, 200, 200]);
      expect([200, 429]).toContain(statuses[7]);
      // Wrong passwords until the unlock limit refuses (429), then conversions over their quota.
      for (let i = 0; i < 3; i++) {
        await t.request(`/${locked.slug}`, {
          method: "POST",
          headers: { ...client, "content-type": "application/x-www-form-urlencoded" },
          body: "password=wrong",
        });
      }
      for (let i = 0; i < 4; i++) {
        await t.request("/api/experiments/ipless/conversions", {
          method: "POST",
          headers: json,
          body: '{"unitId":"u2","goal":"buy"}',
        });
      }
      const session = await t.request(`${ORIGIN}/api/sessions`, {
        method: "POST",
        headers: adminHeaders(jsonHeaders(client)),
        body: JSON.stringify({ userId: `user-${ip.length}`, userAgent: BROWSER }),
      });
      expect(session.status).toBe(201);
    }

    const dump = await dumpPrefix(t.bindings.KEY_PREFIX ?? "");
    expect(dump.size).toBeGreaterThan(10);
    expect([...dump.keys()].some((key) => key.includes(":rl:"))).toBe(true);
    const needles = [IPV4, "203.0.113", "2001:db8:77", "2001:db8:77:77::/64"];
    const leaks = [...dump].filter(([key, value]) =>
      needles.some((needle) => key.includes(needle) || value.includes(needle)),
    );
    expect(leaks).toEqual([]);
  });
});
