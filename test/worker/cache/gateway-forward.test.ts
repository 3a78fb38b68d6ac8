import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { gatewayApp, ORIGIN, originBucket } from "./helpers.ts";

const b = originBucket("fwd");
const t = gatewayApp("forward", [
  { path: `/${b.id}/*`, origin: ORIGIN, timeoutMs: 1000, maxBodyBytes: 1000 },
  { path: "/hosted/*", host: "shop.example", origin: `${ORIGIN}/${b.id}` },
  { path: "/health", host: "api.example", origin: `${ORIGIN}/${b.id}` },
  { path: "/dead/*", origin: "http://127.0.0.1:1" },
]);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("gateway forwarding", () => {
  it("forwards method, path, query, headers and body, and sets the forwarding headers", async () => {
    await b.program([
      { status: 201, headers: { "x-origin": "yes", "cache-tag": "secret", connection: "close" }, body: "made" },
    ]);
    const res = await t.request(`/${b.id}/items?b=2&a=1`, {
      method: "POST",
      headers: {
        "content-type": "text/plain",
        "x-custom": "kept",
        "x-forwarded-for": "6.6.6.6",
        "cf-connecting-ip": "203.0.113.9",
        "keep-alive": "timeout=5",
        connection: "keep-alive",
      },
      body: "hello",
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("made");
    expect(res.headers.get("x-origin")).toBe("yes");
    expect(res.headers.get("cache-tag")).toBeNull();
    expect(res.headers.get("cache-status")).toBe("edgekit; fwd=bypass; fwd-status=201");
    const [seen] = (await b.log()).requests.slice(-1);
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe(`/${b.id}/items?b=2&a=1`);
    expect(seen?.body).toBe("hello");
    expect(seen?.headers["x-custom"]).toBe("kept");
    expect(seen?.headers["x-forwarded-for"]).toBe("203.0.113.9");
    expect(seen?.headers.forwarded).toBe('for=203.0.113.9;host="edgekit.test";proto=http');
    expect(seen?.headers["x-forwarded-host"]).toBe("edgekit.test");
    expect(seen?.headers["x-forwarded-proto"]).toBe("http");
    expect(seen?.headers["keep-alive"]).toBeUndefined();
  });

  it("passes redirects through instead of following them", async () => {
    await b.program([{ status: 302, headers: { location: "https://elsewhere.example/" } }]);
    const res = await t.request(`/${b.id}/go`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://elsewhere.example/");
  });

  it("answers a 504 problem when the origin is slower than the route's timeout", async () => {
    await b.program([{ status: 200, delayMs: 2000 }]);
    const res = await t.request(`/${b.id}/slow`, { method: "POST", body: "x" });
    expect(res.status).toBe(504);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("cache-status")).toBe("edgekit; fwd=miss; detail=gateway-timeout");
  });

  it("answers a 502 problem when the origin is unreachable", async () => {
    const res = await t.request("/dead/x");
    expect(res.status).toBe(502);
    expect(((await res.json()) as { title: string }).title).toBe("Bad gateway");
  });

  it("refuses a body over the route's limit with a 413", async () => {
    const res = await t.request(`/${b.id}/big`, { method: "POST", body: "x".repeat(1001) });
    expect(res.status).toBe(413);
  });

  it("matches by host, with the origin's path prefix, even over edgekit's own routes", async () => {
    const before = (await b.log()).count;
    const res = await t.request("http://shop.example/hosted/a");
    expect(res.status).toBe(200);
    const own = await t.request("http://api.example/health");
    expect(own.headers.get("cache-status")).toContain("edgekit");
    const log = await b.log();
    expect(log.count).toBe(before + 2);
    expect(log.requests.at(-2)?.url).toBe(`/${b.id}/hosted/a`);
    // Without the host, /health is edgekit's own route.
    const health = await t.request("/health");
    expect(health.headers.get("cache-status")).toBeNull();
  });

  it("proxies nothing that is not configured", async () => {
    const before = (await b.log()).count;
    for (const path of ["/other/x", `/${b.id}`.slice(0, -1), "http://evil.example/hosted/a"]) {
      const res = await t.request(path);
      expect(res.headers.get("cache-status")).toBeNull();
      expect(res.status).toBe(404);
    }
    expect((await b.log()).count).toBe(before);
  });
});
