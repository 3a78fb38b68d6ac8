import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../src/index.ts";

const ip = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
const request = (path: string, init: RequestInit = {}, client = "198.51.100.1") =>
  app.request(
    `https://example.test${path}`,
    { ...init, headers: { "cf-connecting-ip": client, "content-type": "application/json", ...init.headers } },
    env,
  );

describe("the example Worker", () => {
  it("rate limits each client: 5 a minute, then a 429 problem", async () => {
    const client = ip();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request("/me", {}, client)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await request("/me", {}, client);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("signs in with a session cookie and out again", async () => {
    const client = ip();
    const login = await request("/login", { method: "POST", body: JSON.stringify({ user: "ada" }) }, client);
    expect(login.status).toBe(201);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^__Host-session=/);
    expect(await (await request("/me", { headers: { cookie } }, client)).json()).toEqual({ user: "ada", plan: "free" });
    await request("/logout", { method: "POST", headers: { cookie } }, client);
    expect((await request("/me", { headers: { cookie } }, client)).status).toBe(401);
  });

  it("creates one order however often a POST is retried with the same Idempotency-Key", async () => {
    const client = ip();
    const key = `"${crypto.randomUUID()}"`;
    const post = () =>
      request("/orders", { method: "POST", headers: { "idempotency-key": key }, body: '{"item":"book"}' }, client);
    const first = await post();
    const retry = await post();
    expect(first.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
    const noKey = await request("/orders", { method: "POST", body: "{}" }, client);
    expect(noKey.status).toBe(400);
  });

  it("builds the catalog once and serves it from the cache after", async () => {
    const path = `/catalog?run=${crypto.randomUUID()}`;
    const first = await request(path, {}, ip());
    expect(first.headers.get("cache-status")).toBe("edgekit; fwd=miss; fwd-status=200; stored");
    const again = await request(path, {}, ip());
    expect(again.headers.get("cache-status")).toMatch(/^edgekit; hit; ttl=\d+$/);
    expect(await again.json()).toEqual(await first.json());
  });
});
