import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../dashboard/session.ts";
import { COOKIE, login } from "../sessions/helpers.ts";
import { adminHeaders, cleanup, jsonHeaders } from "../support.ts";
import { ORIGIN, reliabilityApp } from "./helpers.ts";

const t = reliabilityApp("reserved-names");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const HINT = "__proto__, constructor and prototype are reserved names";

/** Sends a raw JSON text: a JS object literal would turn "__proto__" into a prototype, not a key. */
const send = (method: string, path: string, json: string, headers: Record<string, string> = adminHeaders()) =>
  t.request(`${ORIGIN}${path}`, { method, headers: jsonHeaders(headers), body: json });
const errorsOf = async (res: Response) => ({
  status: res.status,
  errors: ((await res.json()) as { errors?: unknown }).errors,
});

const flag = (fields: string) => `{"enabled":true,"type":"string",${fields}}`;
const experiment = (variants: string, goals = '["purchase"]') =>
  `{"status":"running","variants":${variants},"goals":${goals}}`;

describe("inherited property names", () => {
  it.each([
    [
      "a default variant only Object.prototype has",
      flag('"variants":{"on":"a"},"defaultVariant":"toString"'),
      [{ path: "defaultVariant", message: 'variant "toString" is not defined in variants (on)' }],
    ],
    [
      "a rollout variant named constructor",
      flag('"variants":{"on":"a"},"defaultVariant":"on","rollout":{"percentage":100,"variant":"constructor"}'),
      [
        { path: "rollout.variant", message: HINT },
        { path: "rollout.variant", message: 'variant "constructor" is not defined in variants (on)' },
      ],
    ],
    [
      "a variant named __proto__",
      flag('"variants":{"__proto__":"x","on":"a"},"defaultVariant":"on"'),
      [{ path: "variants.__proto__", message: HINT }],
    ],
    [
      "a variant named constructor",
      flag('"variants":{"constructor":"x","on":"a"},"defaultVariant":"on"'),
      [{ path: "variants.constructor", message: HINT }],
    ],
    [
      "a variant named prototype",
      flag('"variants":{"prototype":"x","on":"a"},"defaultVariant":"prototype"'),
      [
        { path: "variants.prototype", message: HINT },
        { path: "defaultVariant", message: HINT },
      ],
    ],
  ])("refuses a flag with %s (422)", async (_name, json, errors) => {
    expect(await errorsOf(await send("PUT", "/api/flags/p1", json))).toEqual({ status: 422, errors });
  });

  it.each([
    [
      "a variant named __proto__",
      experiment('[{"name":"__proto__","weight":1},{"name":"b","weight":1}]'),
      "variants.0.name",
    ],
    [
      "a variant named constructor",
      experiment('[{"name":"a","weight":1},{"name":"constructor","weight":1}]'),
      "variants.1.name",
    ],
    [
      "a goal named __proto__",
      experiment('[{"name":"a","weight":1},{"name":"b","weight":1}]', '["__proto__"]'),
      "goals.0",
    ],
    [
      "a goal named prototype",
      experiment('[{"name":"a","weight":1},{"name":"b","weight":1}]', '["prototype"]'),
      "goals.0",
    ],
  ])("refuses an experiment with %s (422)", async (_name, json, path) => {
    expect(await errorsOf(await send("PUT", "/api/experiments/e1", json))).toEqual({
      status: 422,
      errors: [{ path, message: HINT }],
    });
  });

  it.each(["__proto__", "constructor", "prototype"])(
    "refuses a session data field named %s, at login and in PATCH (422)",
    async (name) => {
      const created = await send("POST", "/api/sessions", `{"userId":"u1","data":{"${name}":1}}`);
      expect(await errorsOf(created)).toEqual({ status: 422, errors: [{ path: `data.${name}`, message: HINT }] });
      const token = await login(t as never, "u1");
      const patched = await send("PATCH", "/api/sessions/current", `{"data":{"${name}":{"admin":true}}}`, {
        cookie: `${COOKIE}=${token}`,
      });
      expect(await errorsOf(patched)).toEqual({ status: 422, errors: [{ path: `data.${name}`, message: HINT }] });
    },
  );

  it("takes names Object.prototype has but does not reserve as plain own names, read back byte for byte", async () => {
    const input =
      '{"enabled":true,"type":"string","variants":{"toString":"a","valueOf":"b","hasOwnProperty":"c"},"defaultVariant":"valueOf","rules":[{"attribute":"plan","operator":"in","values":["pro"],"variant":"hasOwnProperty"}]}';
    expect((await send("PUT", "/api/flags/inherited", input)).status).toBe(201);
    const stored = (await (await t.request("/api/flags/inherited", { headers: adminHeaders() })).json()) as {
      variants: unknown;
    };
    expect(JSON.stringify(stored.variants)).toBe('{"toString":"a","valueOf":"b","hasOwnProperty":"c"}');
    const evaluate = (context: string) =>
      t.request("/ofrep/v1/evaluate/flags/inherited", { method: "POST", headers: jsonHeaders(), body: context });
    expect(await (await evaluate('{"context":{"targetingKey":"x"}}')).json()).toMatchObject({
      value: "b",
      variant: "valueOf",
    });
    expect(await (await evaluate('{"context":{"targetingKey":"x","plan":"pro"}}')).json()).toMatchObject({
      value: "c",
      variant: "hasOwnProperty",
    });

    const token = await login(t as never, "u2", { data: { toString: "x", valueOf: [1, 2] } });
    const current = await t.request(`${ORIGIN}/api/sessions/current`, { headers: { cookie: `${COOKIE}=${token}` } });
    const { data } = (await current.json()) as { data: Record<string, unknown> };
    expect(Object.keys(data).sort()).toEqual(["toString", "valueOf"]);
    expect(data).toEqual({ toString: "x", valueOf: [1, 2] });
  });

  it("reports experiment results with goals and variants named like Object's own methods", async () => {
    const json = experiment('[{"name":"toString","weight":1},{"name":"valueOf","weight":1}]', '["hasOwnProperty"]');
    expect((await send("PUT", "/api/experiments/inherited", json)).status).toBe(201);
    const res = await t.request("/api/experiments/inherited/results", { headers: adminHeaders() });
    const body = (await res.json()) as { variants: { name: string; units: number; goals: Record<string, unknown> }[] };
    expect(body.variants.map((v) => [v.name, v.units, Object.keys(v.goals)])).toEqual([
      ["toString", 0, ["hasOwnProperty"]],
      ["valueOf", 0, ["hasOwnProperty"]],
    ]);
  });

  it("shows the default period for /admin/views?period=valueOf, not an inherited one", async () => {
    const cookie = await signIn(t);
    const res = await t.request("/admin/views?period=valueOf", { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<b>7d</b>");
  });
});
