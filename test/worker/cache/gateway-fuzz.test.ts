import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { gatewayApp, ORIGIN, originBucket } from "./helpers.ts";

const b = originBucket("fuzz");
const t = gatewayApp("fuzz", [{ path: `/${b.id}/*`, origin: ORIGIN, cache: true }]);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "PROPFIND",
  "PURGE",
  "REPORT",
  "MKCOL",
  "LOCK",
];

describe("gateway fuzz", () => {
  it("never answers a 500 to odd methods, on or off a route", async () => {
    for (const method of METHODS) {
      for (const path of [`/${b.id}/x`, "/not-a-route/x", "/api/cache/purge"]) {
        const res = await t.request(path, { method, ...(["GET", "HEAD"].includes(method) ? {} : { body: "x" }) });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });

  it("never answers a 500 to huge or odd headers", async () => {
    const odd: Record<string, string>[] = [
      { "x-big": "a".repeat(16_000) },
      { "cache-control": "max-age=abc, min-fresh=-1, ,,=, no-cache=" },
      { "cache-control": `max-age=${"9".repeat(400)}` },
      { vary: "*", "accept-language": "x".repeat(8000) },
      { "if-none-match": "*" },
      { authorization: `Bearer ${"t".repeat(4000)}` },
      { forwarded: "for=evil", "x-forwarded-for": "1.2.3.4, 5.6.7.8" },
    ];
    for (const headers of odd) {
      const res = await t.request(`/${b.id}/h`, { headers });
      expect(res.status, JSON.stringify(Object.keys(headers))).toBeLessThan(500);
    }
  });

  it.each([
    ["not JSON", "{", "GATEWAY_ROUTES is not valid JSON"],
    ["an object", '{"path":"/x"}', "GATEWAY_ROUTES: Invalid input: expected array, received object"],
    ["no origin", '[{"path":"/x/*"}]', "GATEWAY_ROUTES.0.origin: an http(s) URL"],
    ["a non-http origin", '[{"path":"/x/*","origin":"ftp://o.example"}]', "GATEWAY_ROUTES.0.origin: an http(s) URL"],
    [
      "a relative path",
      '[{"path":"x","origin":"https://o.example"}]',
      'GATEWAY_ROUTES.0.path: a path such as "/shop/*" or "/about" (pchar only)',
    ],
    [
      "an unknown policy",
      '[{"path":"/x","origin":"https://o.example","rateLimit":"nope"}]',
      "GATEWAY_ROUTES.0.rateLimit:",
    ],
    [
      "an unknown field",
      '[{"path":"/x","origin":"https://o.example","proxyAll":true}]',
      "GATEWAY_ROUTES.0: Unrecognized key",
    ],
    [
      "a cache option out of range",
      '[{"path":"/x","origin":"https://o.example","cache":{"maxEntryBytes":0}}]',
      "GATEWAY_ROUTES.0.cache",
    ],
  ])("answers every route a 503 config-invalid for %s, naming the field", async (_name, value, detail) => {
    const before = (await b.log()).count;
    const bad = gatewayApp("fuzz-bad", [], { GATEWAY_ROUTES: value });
    for (const path of ["/healthz", `/${b.id}/x`, "/x"]) {
      const res = await bad.request(path);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { type: string; detail: string; variables: string[] };
      expect(body.type).toBe("https://edgekit.dev/problems/config-invalid");
      expect(body.detail).toContain(detail);
      expect(body.variables).toContain("GATEWAY_ROUTES");
    }
    expect((await b.log()).count).toBe(before);
  });
});
