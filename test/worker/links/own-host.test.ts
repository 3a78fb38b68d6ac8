import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders, testApp } from "../support.ts";

// The service answers on two hosts; requests below arrive with a Host header of the caller's choosing.
const t = testApp("links-own-host", {
  bindings: {
    SERVICE_HOSTS: "sho.rt, edgekit.example.workers.dev",
    RATE_LIMITS: JSON.stringify({ default: { limit: 100_000 }, "create-link": { limit: 100_000 } }),
  },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const create = (url: string, host = "other.example") =>
  t.request(`http://${host}/api/links`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ url }),
  });
const errorsOf = async (res: Response) => ((await res.json()) as { errors: unknown }).errors;

const OWN = "must not point at this service's own host";
const LOOPBACK = "must not point at a loopback host (localhost, 127.0.0.0/8, ::1)";

describe("link targets", () => {
  it.each([
    ["a host from SERVICE_HOSTS, whatever the request's Host", "https://sho.rt/anything", OWN],
    ["another one, upper case, another port", "https://EDGEKIT.example.workers.dev:8443/x", OWN],
    ["localhost", "https://localhost/", LOOPBACK],
    ["localhost with a trailing dot", "http://localhost./admin", LOOPBACK],
    ["a subdomain of localhost", "https://api.localhost/", LOOPBACK],
    ["127.0.0.1", "http://127.0.0.1:8787/", LOOPBACK],
    ["127.0.0.1 written in hex", "http://0x7f.1/", LOOPBACK],
    ["127.0.0.1 written as one number", "http://2130706433/", LOOPBACK],
    ["0.0.0.0", "http://0.0.0.0/", LOOPBACK],
    ["::1", "http://[::1]/", LOOPBACK],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/", LOOPBACK],
    ["IPv4-mapped loopback, spelled out", "https://[0:0:0:0:0:ffff:7f00:1]/", LOOPBACK],
    ["IPv4-compatible loopback", "https://[::127.0.0.2]/", LOOPBACK],
    ["NAT64 loopback", "https://[64:ff9b::127.0.0.1]/", LOOPBACK],
  ])("refuses %s", async (_name, url, message) => {
    const res = await create(url);
    expect(res.status).toBe(422);
    expect(await errorsOf(res)).toEqual([{ path: "url", message }]);
  });

  it("refuses loopback targets in PATCH and bulk too", async () => {
    const created = await create("https://example.com/");
    const { slug } = (await created.json()) as { slug: string };
    const patched = await t.request(`/api/links/${slug}`, {
      method: "PATCH",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ expiredUrl: "https://[::ffff:127.0.0.1]/" }),
    });
    expect(patched.status).toBe(422);
    const bulk = await t.request("/api/links/bulk", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ links: [{ url: "https://localhost/" }] }),
    });
    expect(JSON.stringify(await bulk.json())).toContain(LOOPBACK);
  });

  it.each([
    ["a public IPv4-mapped address", "https://[::ffff:8.8.8.8]/"],
    ["a host that merely contains localhost", "https://localhost.example.com/"],
    ["a public IPv6 address", "https://[2001:db8::1]/"],
  ])("accepts %s", async (_name, url) => {
    expect((await create(url)).status).toBe(201);
  });
});
