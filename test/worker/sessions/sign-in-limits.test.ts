import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, jsonHeaders, testApp } from "../support.ts";
import { ORIGIN } from "./helpers.ts";

// The built-in create-session and create-session-address policies, untouched: this file is
// about what they count.
const t = testApp("sessions-signin", { bindings: { RATE_LIMITS: JSON.stringify({ default: { limit: 100_000 } }) } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const signIn = (userId: string, headers: Record<string, string> = {}) =>
  t.request(`${ORIGIN}/api/sessions`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders(headers)),
    body: JSON.stringify({ userId }),
  });

const quotaProblem = (policy: string, limit: number) => ({
  type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
  title: "Too many requests",
  status: 429,
  detail: expect.stringMatching(new RegExp(`^Over the "${policy}" limit of ${limit} per 60 s\\. Retry in \\d+ s\\.$`)),
  instance: "/api/sessions",
  policy,
});

describe("POST /api/sessions rate limits", () => {
  it("counts per user, not per backend: twelve users in a row all get a session", async () => {
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(`row-user-${i}`)).status);
    expect(statuses).toEqual(Array(12).fill(201));
  });

  it("accepts 1,000 distinct users signing in within a minute, 50 at a time", async () => {
    const started = Date.now();
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => signIn(`crowd-${batch * 50 + i}@example.com`)),
      );
      statuses.push(...responses.map((res) => res.status));
    }
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1000);
  }, 60_000);

  it("refuses one user hammering sign-ins alone, naming create-session, while others still sign in", async () => {
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn("hammer")).status);
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const refused = await signIn("hammer");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused.json()).toEqual(quotaProblem("create-session", 10));
    expect((await signIn("victim")).status).toBe(201);
  });

  it("counts per end-user address when the backend forwards it in Edgekit-Client-IP", async () => {
    const from = (address: string) => ({ "edgekit-client-ip": address });
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(`nat-${i}`, from("203.0.113.7"))));
    expect(statuses.map((res) => res.status)).toEqual(Array(60).fill(201));
    const refused = await signIn("nat-60", from("203.0.113.7"));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual(quotaProblem("create-session-address", 60));
    // Another address, and the same user from another address, are untouched.
    expect((await signIn("nat-60", from("198.51.100.1"))).status).toBe(201);
    expect((await signIn("elsewhere")).status).toBe(201);
  });

  it("ignores a forwarded value that is no address, counting the user only", async () => {
    const res = await signIn("odd-header", { "edgekit-client-ip": "not an address" });
    expect(res.status).toBe(201);
  });
});
