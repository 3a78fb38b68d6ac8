import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import worker from "../../../src/index.ts";
import { createLazyApp } from "../../../src/lazy-app.ts";
import { adminHeaders, jsonHeaders, testBindings } from "../support.ts";

// The deployed Worker (src/index.ts) builds createApp's routes per group of modules, on the first
// request that reaches the group (src/lazy-app.ts). These tests hold it to createApp exactly.

interface RouteEntry {
  method: string;
  path: string;
}

/** Every entry (middleware and handlers, in registration order) that matches a request. */
function matching(routes: RouteEntry[], method: string, path: string): string[] {
  const router = new TrieRouter<RouteEntry>();
  for (const route of routes) router.add(route.method, route.path, route);
  const [handlers] = router.match(method, path);
  return handlers.map(([route]) => `${route.method} ${route.path}`);
}

/** A concrete path a route pattern matches: `/api/flags/:key` -> `/api/flags/p1`. */
function sample(pattern: string): string {
  return pattern
    .replace(/:\w+\{([a-z]+)\|[^}]*\}/g, "$1") // an alternation: its first word
    .replace(/:\w+(\{[^}]*\})?/g, "p1")
    .replace(/\*/g, "any");
}

const full = createApp();
const lazy = createLazyApp();
const handlers = full.routes.filter((r) => r.method !== "ALL");
const methods = [...new Set(handlers.map((r) => r.method)), "OPTIONS"];
const probes = [
  ...new Set([
    ...handlers.map((r) => sample(r.path)),
    "/",
    "/docs",
    "/api",
    "/api/nope",
    "/api/nope/p1",
    "/healthz/",
    "/a/b/c",
    "/admin/",
    "/ofrep",
    "/api/users/p1/other",
    "/client.js/p1",
    `/${"a".repeat(65)}`,
  ]),
];

describe("the deployed Worker's lazily built app", () => {
  it("matches every request to the same middleware and handlers as createApp, in the same order", async () => {
    expect(handlers.length).toBeGreaterThan(150);
    const differences: string[] = [];
    for (const path of probes) {
      const group = await lazy.appFor(path);
      for (const method of methods) {
        const expected = matching(full.routes, method, path);
        const actual = matching(group.routes, method, path);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          differences.push(`${method} ${path}: ${actual.join(", ")} instead of ${expected.join(", ")}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });

  it("builds each group once, and only the modules a request can reach", async () => {
    const app = createLazyApp();
    const [first, second] = await Promise.all([app.appFor("/api/flags"), app.appFor("/api/flags/p1")]);
    expect(first).toBe(second);
    const paths = new Set(first.routes.map((r) => r.path));
    expect(paths.has("/api/flags/:key")).toBe(true);
    expect([...paths].some((p) => p.startsWith("/api/links") || p.startsWith("/admin"))).toBe(false);
    // Paths no route table knows share one app per shape, so they cannot grow the isolate's memory.
    expect(await app.appFor("/some-slug")).toBe(await app.appFor("/another-slug"));
    expect(await app.appFor("/x/y")).toBe(await app.appFor("/api/unknown/y"));
  });

  it("serves the primitives through src/index.ts as createApp does", async () => {
    const env = testBindings("lazy-app");
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const send = (path: string, init?: RequestInit) =>
      worker.fetch(new Request(`http://edgekit.test${path}`, init), env, ctx);
    const created = await send("/api/links", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ url: "https://example.com/lazy", slug: "lazy-link" }),
    });
    expect(created.status).toBe(201);
    const redirect = await send("/lazy-link");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("https://example.com/lazy");
    const health = await send("/healthz");
    expect(health.status).toBe(200);
    const unknown = await send("/api/nope", { headers: adminHeaders() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    expect((await send("/openapi.json")).status).toBe(200);
  });
});
