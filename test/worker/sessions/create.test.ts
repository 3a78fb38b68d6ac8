import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders, keysWithPrefix } from "../support.ts";
import { ORIGIN, sessionApp } from "./helpers.ts";

const t = sessionApp("sessions-create");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const post = (body: unknown, headers: Record<string, string> = adminHeaders(jsonHeaders())) =>
  t.request(`${ORIGIN}/api/sessions`, { method: "POST", headers, body: JSON.stringify(body) });

const problem = (detail: string, errors: { path: string; message: string }[]) => ({
  type: "https://edgekit.dev/problems/validation-failed",
  title: "Validation failed",
  status: 422,
  detail,
  instance: "/api/sessions",
  errors,
});

describe("POST /api/sessions", () => {
  const cases = [
    {
      name: "a user id with braces",
      body: { userId: "{evil}" },
      status: 422,
      expected: problem("userId: 1-128 printable ASCII characters, no spaces or braces", [
        { path: "userId", message: "1-128 printable ASCII characters, no spaces or braces" },
      ]),
    },
    {
      name: "no user id",
      body: { data: {} },
      status: 422,
      expected: problem(expect.stringContaining("userId"), [{ path: "userId", message: expect.any(String) }]),
    },
    {
      name: "33 data fields",
      body: { userId: "u", data: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])) },
      status: 422,
      expected: problem("data: At most 32 fields", [{ path: "data", message: "At most 32 fields" }]),
    },
    {
      name: "a value over 2048 bytes",
      body: { userId: "u", data: { big: "é".repeat(1100) } },
      status: 422,
      expected: problem("data.big: At most 2048 bytes as JSON", [
        { path: "data.big", message: "At most 2048 bytes as JSON" },
      ]),
    },
    {
      name: "no admin token",
      body: { userId: "u" },
      headers: jsonHeaders(),
      status: 401,
      expected: {
        type: "https://edgekit.dev/problems/unauthorized",
        title: "Unauthorized",
        status: 401,
        detail: "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
        instance: "/api/sessions",
      },
    },
  ];

  it.each(cases)(
    "refuses $name with a $status problem and writes nothing",
    async ({ body, headers, status, expected }) => {
      const res = await post(body, headers);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.json()).toEqual(expected);
      const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
      expect(keys.filter((k) => k.includes(":session:"))).toEqual([]);
    },
  );

  it("answers 201 with the token, its handle and the absolute expiry, and never caches it", async () => {
    const res = await post({ userId: "alice@example.com", data: { plan: "pro" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/),
      handle: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(t.clock.now() + 168 * 3_600_000).toISOString(),
    });
    const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    expect(keys.join(" ")).not.toContain("alice");
  });
});
