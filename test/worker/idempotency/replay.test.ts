import { afterAll, describe, expect, it } from "vitest";
import { cleanup, problemBody } from "../support.ts";
import { HANDLER_HEADERS, idemApp } from "./helpers.ts";

const t = idemApp("replay");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const IP = { "cf-connecting-ip": "203.0.113.10" };

describe("a retry with the same Idempotency-Key", () => {
  it("replays the stored status, body and allow-listed headers without running the handler again", async () => {
    const first = await t.post("/api/_test/idem/things", '"replay-1"', { n: 1 }, IP);
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const runs = t.runs();

    const again = await t.post("/api/_test/idem/things", '"replay-1"', { n: 1 }, IP);
    expect(again.status).toBe(201);
    expect(await again.text()).toBe(firstBody);
    expect(t.runs()).toBe(runs);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
  });

  it("replays exactly the allow-listed headers: never Set-Cookie, the handler's others or old request ids", async () => {
    const first = await t.post("/api/_test/idem/things", "replay-headers", {}, IP);
    const again = await t.post("/api/_test/idem/things", "replay-headers", {}, IP);
    // What the middleware stack adds to every response, the replay included, is fresh, not replayed.
    const fresh = new Set([
      ...[...first.headers.keys()].filter((name) => !(name in HANDLER_HEADERS) && name !== "content-type"),
    ]);
    const replayed = [...again.headers.keys()].filter((name) => !fresh.has(name)).sort();
    expect(replayed).toEqual(["content-type", "etag", "idempotent-replayed", "last-modified", "link", "location"]);
    for (const name of ["content-type", "etag", "last-modified", "link", "location"]) {
      expect(again.headers.get(name)).toBe(first.headers.get(name));
    }
    expect(first.headers.get("set-cookie")).not.toBeNull();
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(again.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
  });

  it("accepts a quoted key and the same key bare as one key", async () => {
    await t.post("/api/_test/idem/things", '"bare-or-quoted"', {}, IP);
    const bare = await t.post("/api/_test/idem/things", "bare-or-quoted", {}, IP);
    expect(bare.headers.get("idempotent-replayed")).toBe("true");
  });

  it("is scoped to the caller: another client's same key runs its own request", async () => {
    await t.post("/api/_test/idem/things", "scoped", {}, { "cf-connecting-ip": "203.0.113.11" });
    const runs = t.runs();
    const other = await t.post("/api/_test/idem/things", "scoped", {}, { "cf-connecting-ip": "203.0.113.12" });
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(t.runs()).toBe(runs + 1);
  });

  it("runs every request without a key, as before", async () => {
    const runs = t.runs();
    await t.post("/api/_test/idem/things", undefined, {}, IP);
    await t.post("/api/_test/idem/things", undefined, {}, IP);
    expect(t.runs()).toBe(runs + 2);
  });
});

describe("a reused key with another request", () => {
  it.each([
    ["another body", { n: 2 }, "/api/_test/idem/things", {}],
    ["another path", { n: 1 }, "/api/_test/idem/status/201", {}],
    ["another query", { n: 1 }, "/api/_test/idem/things?x=1", {}],
    ["another content type", { n: 1 }, "/api/_test/idem/things", { "content-type": "application/merge-patch+json" }],
  ])("answers 422 for %s once the first has finished", async (_name, body, path, headers) => {
    const key = `mismatch-${_name.replaceAll(" ", "-")}`;
    await t.post("/api/_test/idem/things", key, { n: 1 }, IP);
    const res = await t.post(path, key, body, { ...IP, ...headers });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual(
      problemBody(
        422,
        "idempotency-key-reused",
        "Idempotency key reused",
        "This Idempotency-Key was used for another request: use a new key for a new request.",
        path.split("?")[0] ?? path,
      ),
    );
  });

  it("treats a reordered query as the same request", async () => {
    await t.post("/api/_test/idem/things?a=1&b=2", "query-order", {}, IP);
    const res = await t.post("/api/_test/idem/things?b=2&a=1", "query-order", {}, IP);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("what is stored", () => {
  it.each([
    ["a 500 from a plain throw", "/api/_test/idem/throw", 500],
    ["a 503", "/api/_test/idem/status/503", 503],
    ["a 429", "/api/_test/idem/status/429", 429],
    ["a 408", "/api/_test/idem/status/408", 408],
  ])("not %s: the key is released and a retry runs again", async (_name, path, status) => {
    const key = `released-${status}`;
    const first = await t.post(path, key, {}, IP);
    expect(first.status).toBe(status);
    const runs = t.runs();
    const retry = await t.post(path, key, {}, IP);
    expect(retry.status).toBe(status);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(t.runs()).toBe(runs + 1);
  });

  it.each([
    ["the handler's own 404 problem", "/api/_test/idem/problem/404", 404],
    ["a 400 from the handler", "/api/_test/idem/status/400", 400],
    ["a 200", "/api/_test/idem/status/200", 200],
  ])("%s: replayed to a retry", async (_name, path, status) => {
    const key = `stored-${status}`;
    const first = await t.post(path, key, {}, IP);
    expect(first.status).toBe(status);
    const runs = t.runs();
    const retry = await t.post(path, key, {}, IP);
    expect(retry.status).toBe(status);
    expect(await retry.text()).toBe(await first.text());
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(t.runs()).toBe(runs);
  });
});
