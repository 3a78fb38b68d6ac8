import type { ManualClock } from "../../../src/lib/clock.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

export type TestApp = ReturnType<typeof testApp>;

/** A valid experiment body: two equal variants, one goal, running; override any field. */
export function experimentInput(overrides: Record<string, unknown> = {}) {
  return {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
    status: "running",
    goals: ["purchase"],
    ...overrides,
  };
}

/** A test app whose rate limits do not get in the way of many requests from one client. */
export function experimentsApp(name: string, options: { clock?: ManualClock } = {}) {
  return testApp(name, {
    ...options,
    bindings: { RATE_LIMITS: '{"default":{"limit":1000000},"conversions":{"limit":1000000}}' },
  });
}

export const putExperiment = (t: TestApp, key: string, body: unknown) =>
  t.request(`/api/experiments/${key}`, {
    method: "PUT",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(body),
  });

export const adminGet = (t: TestApp, path: string) => t.request(path, { headers: adminHeaders() });

export const assign = (t: TestApp, key: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request(`/api/experiments/${key}/assignment`, {
    method: "POST",
    headers: jsonHeaders(headers),
    body: JSON.stringify(body),
  });

export const convert = (t: TestApp, key: string, body: unknown) =>
  t.request(`/api/experiments/${key}/conversions`, {
    method: "POST",
    headers: jsonHeaders(),
    body: JSON.stringify(body),
  });
