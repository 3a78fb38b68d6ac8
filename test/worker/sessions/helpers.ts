import { expect } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

export const ORIGIN = "https://edgekit.test";
export const COOKIE = "__Host-session";

/**
 * A test app on a manual clock whose rate limits are out of the way (the files below send more
 * than the default 120 requests a minute from one address).
 */
export function sessionApp(name: string, bindings: Record<string, string> = {}) {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const t = testApp(name, {
    clock,
    bindings: {
      RATE_LIMITS: JSON.stringify({ default: { limit: 100_000 }, "create-session": { limit: 100_000 } }),
      ...bindings,
    },
  });
  return { ...t, clock };
}

export type SessionApp = ReturnType<typeof sessionApp>;

/** Starts a session the way an app's backend does; returns its token. */
export async function login(
  t: SessionApp,
  userId: string,
  extra: { data?: Record<string, unknown>; userAgent?: string } = {},
): Promise<string> {
  const res = await t.request(`${ORIGIN}/api/sessions`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ userId, ...extra }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Headers of a browser on this site holding a session cookie. */
export const withCookie = (token: string, extra: Record<string, string> = {}) => ({
  cookie: `${COOKIE}=${token}`,
  origin: ORIGIN,
  ...extra,
});

export const current = (t: SessionApp, token: string) =>
  t.request(`${ORIGIN}/api/sessions/current`, { headers: withCookie(token) });

export const patch = (t: SessionApp, token: string, data: Record<string, unknown>) =>
  t.request(`${ORIGIN}/api/sessions/current`, {
    method: "PATCH",
    headers: withCookie(token, jsonHeaders()),
    body: JSON.stringify({ data }),
  });

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
