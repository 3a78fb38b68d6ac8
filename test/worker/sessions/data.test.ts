import { afterAll, describe, expect, it } from "vitest";
import { cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { current, login, ORIGIN, patch, sessionApp, withCookie } from "./helpers.ts";

const t = sessionApp("sessions-data");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const dataOf = async (res: Response) => ((await res.json()) as { data: Record<string, unknown> }).data;

describe("PATCH /api/sessions/current", () => {
  it("merges fields, and null deletes one", async () => {
    const token = await login(t, "patcher", { data: { a: 1, b: "two" } });
    const res = await patch(t, token, { b: null, c: { nested: [true] } });
    expect(res.status).toBe(200);
    expect(await dataOf(res)).toEqual({ a: 1, c: { nested: [true] } });
    expect(await dataOf(await current(t, token))).toEqual({ a: 1, c: { nested: [true] } });
  });

  it("keeps every field when 20 requests patch different fields at once", async () => {
    const token = await login(t, "racer");
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => patch(t, token, { [`f${i}`]: i })));
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    const data = await dataOf(await current(t, token));
    expect(data).toEqual(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, i])));
  });

  it("costs one round trip for the session (its script)", async () => {
    const token = await login(t, "patcher-2");
    await patch(t, token, { warm: 1 });
    const { result, roundTrips } = await countRoundTrips(() => patch(t, token, { x: 1 }));
    expect(result.status).toBe(200);
    // Plus one when the rate-limit table checks this route before it runs instead of folding.
    expect(roundTrips).toBe(1); // the rate-limit check runs inside the session script
  });

  it("refuses a patch that would take a session over 32 fields, and writes none of it", async () => {
    const token = await login(t, "hoarder", {
      data: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])),
    });
    const res = await patch(t, token, { x: 1, y: 2, z: 3 });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "data: A session holds at most 32 fields; this would make 33",
      instance: "/api/sessions/current",
      errors: [{ path: "data", message: "A session holds at most 32 fields; this would make 33" }],
    });
    expect(Object.keys(await dataOf(await current(t, token)))).toHaveLength(30);
    // Deleting while adding stays within the limit.
    expect((await patch(t, token, { k0: null, x: 1, y: 2 })).status).toBe(200);
  });

  const bad = [
    {
      name: "a field name with a space",
      body: { data: { "a b": 1 } },
      errors: [{ path: "data.a b", message: expect.stringContaining("Field names") }],
    },
    {
      name: "a value over 2048 bytes",
      body: { data: { big: "x".repeat(2100) } },
      errors: [{ path: "data.big", message: "At most 2048 bytes as JSON" }],
    },
    {
      name: "no data member",
      body: {},
      errors: [{ path: "data", message: expect.any(String) }],
    },
  ];

  it.each(bad)("answers $name with a 422 listing the field", async ({ body, errors }) => {
    const token = await login(t, "validator");
    const res = await t.request(`${ORIGIN}/api/sessions/current`, {
      method: "PATCH",
      headers: withCookie(token, jsonHeaders()),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: expect.any(String),
      instance: "/api/sessions/current",
      errors,
    });
  });

  it("answers 401 without a session, as GET does", async () => {
    const res = await patch(t, `${"A".repeat(22)}.${"B".repeat(43)}`, { a: 1 });
    expect(res.status).toBe(401);
  });
});
