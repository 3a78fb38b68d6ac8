import type { Clock } from "../../../src/lib/clock.ts";
import { NO_LIMITS } from "../reliability/helpers.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

/**
 * A test app for places: rate limits out of the way unless `bindings` says otherwise, and a Redis
 * timeout long enough for 200 concurrent updates on a loaded 2-core machine.
 */
export function placesApp(name: string, options: { clock?: Clock; bindings?: Record<string, string> } = {}) {
  const t = testApp(`places-${name}`, {
    clock: options.clock,
    bindings: { RATE_LIMITS: NO_LIMITS, REDIS_TIMEOUT_MS: "10000", ...options.bindings },
  });
  /** An admin JSON request. */
  const api = (method: string, path: string, body?: unknown) =>
    t.request(path, {
      method,
      headers: adminHeaders(body === undefined ? {} : jsonHeaders()),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  /** An admin request that must answer `status`; its parsed body. */
  const expectApi = async <T = Record<string, unknown>>(
    status: number,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const res = await api(method, path, body);
    const text = await res.text();
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, not ${status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  /** A request carrying `request.cf`, as Cloudflare sets it (strings). */
  const withCf = (path: string, cf: Record<string, string> | undefined, headers: Record<string, string> = {}) =>
    t.app.request(
      new Request(`http://edgekit.test${path}`, { headers, ...(cf ? { cf } : {}) } as RequestInit),
      undefined,
      t.bindings,
    );
  return { ...t, api, expectApi, withCf };
}

export type PlacesApp = ReturnType<typeof placesApp>;

/** Haversine distance in metres on Redis's sphere, computed independently of src/. */
export function haversine(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6372797.560856;
  const toRad = (d: number) => (d * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}
