import { afterAll, describe, expect, it, vi } from "vitest";
import { isKeySecret } from "../../../src/lib/access/token.ts";
import { manualClock } from "../../../src/lib/clock.ts";
import { reliabilityApp } from "../reliability/helpers.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, keysWithPrefix, redisCommand } from "../support.ts";
import { bearer, makeKey } from "./helpers.ts";

const clock = manualClock(Date.UTC(2026, 11, 1, 12));
const t = reliabilityApp("access-keys", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Everything the tests saw: response bodies and headers, and console output. */
const seen: string[] = [];
const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
  vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
    seen.push(args.map(String).join(" "));
  }),
);
async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await t.request(path, init);
  const text = await res.clone().text();
  seen.push(text, JSON.stringify([...res.headers]));
  return res;
}
const links = (secret: string) =>
  call("/api/links", {
    method: "POST",
    headers: jsonHeaders(bearer(secret)),
    body: JSON.stringify({ url: "https://example.com/" }),
  });

describe("POST /api/keys", () => {
  it("answers the secret once, in the ek_ form with a checksum, and stores only its SHA-256", async () => {
    const res = await call("/api/keys", {
      method: "POST",
      headers: jsonHeaders(adminHeaders()),
      body: JSON.stringify({ name: "ci deploy", scopes: ["links:write", "links:write"] }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const key = (await res.json()) as Record<string, unknown> & { secret: string; id: string };
    expect(key.secret).toMatch(/^ek_[0-9A-Za-z]{50}$/);
    expect(isKeySecret(key.secret)).toBe(true);
    expect(key).toEqual({
      id: expect.stringMatching(/^key_[0-9A-Za-z]{11}$/),
      name: "ci deploy",
      scopes: ["links:write"],
      createdBy: "admin",
      createdAt: clock.now(),
      expiresAt: null,
      status: "active",
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      secret: key.secret,
    });
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key.secret));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const stored = JSON.stringify(await redisCommand("HGETALL", `${t.bindings.KEY_PREFIX}edgekit:access:keys`));
    expect(stored).toContain(`h:${hex}`);
    expect(stored).not.toContain(key.secret);
    expect(stored).not.toContain(key.secret.slice(3, 20));
  });

  it("refuses a checksum typo without asking Redis", async () => {
    const { secret } = await makeKey(t, ["links:write"]);
    const typo = `${secret.slice(0, -1)}${secret.endsWith("0") ? "1" : "0"}`;
    const { result, roundTrips } = await countRoundTrips(() => links(typo));
    expect(result.status).toBe(401);
    expect(roundTrips).toBe(1); // the rate limit's, nothing for the key
  });

  it.each([
    ["no name", { scopes: ["links:read"] }, "name"],
    ["a name with a newline", { name: "a\nb", scopes: ["links:read"] }, "name"],
    ["no scopes", { name: "k", scopes: [] }, "scopes"],
    ["an unknown scope", { name: "k", scopes: ["links:fly"] }, "scopes.0"],
    ["an unknown resource", { name: "k", scopes: ["root:*"] }, "scopes.0"],
    ["a pattern on an unpatterned scope", { name: "k", scopes: ["links:read:x"] }, "scopes.0"],
    ["a bad pattern", { name: "k", scopes: ["leaderboards:write:a b"] }, "scopes.0"],
    ["an expiry in the past", { name: "k", scopes: ["links:read"], expiresAt: Date.UTC(2020, 0, 1) }, "expiresAt"],
    ["an unknown field", { name: "k", scopes: ["links:read"], admin: true }, ""],
  ])("refuses %s with a 422 problem", async (_name, body, path) => {
    const res = await call("/api/keys", {
      method: "POST",
      headers: jsonHeaders(adminHeaders()),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; errors: { path: string }[] };
    expect(problem.type).toBe("https://edgekit.dev/problems/validation-failed");
    expect(problem.errors.map((e) => e.path)).toContain(path);
  });

  it("lets a keys:write key create keys only with scopes it holds itself", async () => {
    const manager = await makeKey(t, ["keys:write", "links:*", "leaderboards:write:eu-*"], { name: "manager" });
    const child = await makeKey(t, ["links:read", "leaderboards:write:eu-west"], { as: manager.secret });
    expect(child.scopes).toEqual(["links:read", "leaderboards:write:eu-west"]);
    const res = await call("/api/keys", {
      method: "POST",
      headers: jsonHeaders(bearer(manager.secret)),
      body: JSON.stringify({
        name: "escalate",
        scopes: ["links:read", "flags:write", "keys:read", "leaderboards:write"],
      }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      type: "https://edgekit.dev/problems/insufficient-scope",
      status: 403,
      scopes: ["flags:write", "keys:read", "leaderboards:write"],
    });
    const listed = (await (await call("/api/keys", { headers: adminHeaders() })).json()) as {
      keys: { name: string; createdBy: string }[];
    };
    expect(listed.keys.find((k) => k.name === "test-key" && k.createdBy.startsWith("key:"))?.createdBy).toBe(
      `key:manager:${manager.id}`,
    );
  });
});

describe("GET /api/keys", () => {
  it("lists keys newest first with state and last use, never a secret or a hash", async () => {
    clock.advance(1);
    const key = await makeKey(t, ["links:write"], { name: "listed" });
    const res = await call("/api/keys", { headers: adminHeaders() });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(key.secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('"secret"');
    const { keys } = JSON.parse(text) as { keys: { id: string }[] };
    expect(keys[0]?.id).toBe(key.id);
  });

  it("needs keys:read", async () => {
    const key = await makeKey(t, ["links:write"]);
    const res = await call("/api/keys", { headers: bearer(key.secret) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ detail: "This API key lacks the scope `keys:read`.", scope: "keys:read" });
  });
});

describe("a key on a management route", () => {
  it("is accepted with the scope, refused with a 403 naming it without", async () => {
    const writer = await makeKey(t, ["links:write"]);
    const reader = await makeKey(t, ["links:read"]);
    expect((await links(writer.secret)).status).toBe(201);
    const refused = await links(reader.secret);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      type: "https://edgekit.dev/problems/insufficient-scope",
      title: "Insufficient scope",
      status: 403,
      detail: "This API key lacks the scope `links:write`.",
      instance: "/api/links",
      scope: "links:write",
    });
  });

  it("401s an unknown key like a missing one, and an expired one saying so", async () => {
    const unknown = "ek_00000000000000000000000000000000000000000000000000";
    const { newKeySecret } = await import("../../../src/lib/access/token.ts");
    for (const secret of [unknown, newKeySecret()]) {
      const res = await links(secret);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toBe(
        "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
      );
    }
    const expiring = await makeKey(t, ["links:write"], { expiresAt: clock.now() + 60_000 });
    expect((await links(expiring.secret)).status).toBe(201);
    clock.advance(60_000);
    const res = await links(expiring.secret);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="edgekit", error="invalid_token"');
    expect(((await res.json()) as { detail: string }).detail).toBe(
      `This API key expired at ${new Date(clock.now()).toISOString()}.`,
    );
    const listed = (await (await call("/api/keys", { headers: adminHeaders() })).json()) as {
      keys: { id: string; status: string }[];
    };
    expect(listed.keys.find((k) => k.id === expiring.id)?.status).toBe("expired");
  });
});

describe("DELETE /api/keys/{id}", () => {
  it("revokes at once in this isolate; the answer says revoked", async () => {
    const key = await makeKey(t, ["links:write"]);
    expect((await links(key.secret)).status).toBe(201);
    const res = await call(`/api/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: key.id, status: "revoked", revokedBy: "admin" });
    const refused = await links(key.secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^This API key was revoked at /);
  });

  it("takes effect in another isolate within API_KEYS_CACHE_SECONDS (30 s), never later", async () => {
    const key = await makeKey(t, ["links:write"]);
    expect((await links(key.secret)).status).toBe(201); // now cached here
    // Revoked elsewhere: straight in Redis, as another isolate's DELETE would leave it.
    await redisCommand(
      "HSET",
      `${t.bindings.KEY_PREFIX}edgekit:access:keys`,
      `r:${key.id}`,
      JSON.stringify({ at: clock.now(), by: "admin" }),
    );
    clock.advance(29_999);
    expect((await links(key.secret)).status).toBe(201); // within the documented bound
    clock.advance(1);
    expect((await links(key.secret)).status).toBe(401); // at the bound: refused
  });

  it("404s an unknown id; a key may revoke only keys whose scopes it holds", async () => {
    expect((await call("/api/keys/key_00000000000", { method: "DELETE", headers: adminHeaders() })).status).toBe(404);
    expect((await call("/api/keys/nonsense", { method: "DELETE", headers: adminHeaders() })).status).toBe(404);
    const narrow = await makeKey(t, ["keys:write", "links:read"]);
    const wide = await makeKey(t, ["links:write"]);
    const res = await call(`/api/keys/${wide.id}`, { method: "DELETE", headers: bearer(narrow.secret) });
    expect(res.status).toBe(403);
    const own = await makeKey(t, ["links:read"]);
    expect((await call(`/api/keys/${own.id}`, { method: "DELETE", headers: bearer(narrow.secret) })).status).toBe(200);
  });
});

describe("last used", () => {
  it("is written at most once a minute per key, inside the verification", async () => {
    const key = await makeKey(t, ["links:write"]);
    const field = `u:${key.id}`;
    const read = () => redisCommand<string | null>("HGET", `${t.bindings.KEY_PREFIX}edgekit:access:keys`, field);
    const start = clock.now();
    await links(key.secret);
    expect(Number(await read())).toBe(start);
    for (let i = 0; i < 3; i++) {
      clock.advance(20_000); // past the 30 s cache twice, under a minute since the write
      await links(key.secret);
    }
    expect(Number(await read())).toBe(start);
    clock.advance(20_000); // 80 s after the write, and the cache lapsed: written again
    await links(key.secret);
    expect(Number(await read())).toBe(clock.now());
  });
});

describe("rate limits", () => {
  it("count each key under its id, apart from the admin and other keys", async () => {
    const limited = reliabilityApp("access-keys-limits", {
      clock,
      bindings: { RATE_LIMITS: JSON.stringify({ default: { limit: 3 } }) },
    });
    const a = await makeKey(limited, ["links:read"], { name: "a" });
    const b = await makeKey(limited, ["links:read"], { name: "b" });
    const get = (secret: string) => limited.request("/api/links", { headers: bearer(secret) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(a.secret)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await get(b.secret)).status).toBe(200);
    // The admin's budget is its own too: two key creations so far, this is its third request.
    const state = await limited.request(`/api/ratelimit/key:${a.id}?policy=default`, { headers: adminHeaders() });
    expect(state.status).toBe(200);
    await cleanup(limited.bindings.KEY_PREFIX ?? "");
  });
});

describe("audit trails", () => {
  it("name the key that changed a flag, whatever X-Actor claims", async () => {
    const key = await makeKey(t, ["flags:write", "flags:read"], { name: "release-bot" });
    const put = await call("/api/flags/audited-by-key", {
      method: "PUT",
      headers: jsonHeaders(bearer(key.secret, { "x-actor": "someone-else" })),
      body: JSON.stringify({
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
      }),
    });
    expect(put.status).toBe(201);
    const history = (await (
      await call("/api/flags/audited-by-key/history", { headers: bearer(key.secret) })
    ).json()) as {
      entries: { actor: string }[];
    };
    expect(history.entries.map((e) => e.actor)).toEqual([`key:release-bot:${key.id}`]);
  });
});

describe("after SCRIPT FLUSH", () => {
  it("verifies and revokes through the EVAL fallback", async () => {
    const key = await makeKey(t, ["links:write"]);
    await redisCommand("SCRIPT", "FLUSH");
    expect((await links(key.secret)).status).toBe(201);
    await redisCommand("SCRIPT", "FLUSH");
    expect((await call(`/api/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() })).status).toBe(200);
  });
});

describe("secrets", () => {
  it("never appear in a response or a log line, nor does any stored hash", async () => {
    const fields = await redisCommand<string[]>("HGETALL", `${t.bindings.KEY_PREFIX}edgekit:access:keys`);
    const hashes = fields.filter((f) => f.startsWith("h:")).map((f) => f.slice(2));
    expect(hashes.length).toBeGreaterThan(5);
    const dump = seen.join("\n");
    for (const hash of hashes) expect(dump).not.toContain(hash);
    // The secrets appear once each: in the 201 that created them, and nowhere else.
    const secrets = dump.match(/ek_[0-9A-Za-z]{50}/g) ?? [];
    const created = seen.filter((s) => s.includes('"secret":"ek_'));
    for (const secret of new Set(secrets)) {
      expect(seen.filter((s) => s.includes(secret)).length, secret).toBeLessThanOrEqual(1);
      expect(created.some((s) => s.includes(secret))).toBe(true);
    }
    for (const spy of consoleSpies) spy.mockRestore();
    expect((await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).some((k) => k.endsWith("access:keys"))).toBe(true);
  });
});
