import { afterAll, describe, expect, it } from "vitest";
import { cleanup, problemBody } from "../support.ts";
import { COOKIE, current, login, ORIGIN, sessionApp } from "./helpers.ts";

const t = sessionApp("sessions-csrf", { PUBLIC_URL: "https://public.example" });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const forbidden = (instance: string) =>
  problemBody(
    403,
    "forbidden",
    "Forbidden",
    "This request came from another origin; session changes must come from this site.",
    instance,
  );

const routes = [
  { method: "PATCH", path: "/api/sessions/current", body: JSON.stringify({ data: { plan: "evil" } }) },
  { method: "DELETE", path: "/api/sessions/current", body: undefined },
  { method: "POST", path: "/api/sessions/current/rotate", body: undefined },
];
const crossSite: { name: string; headers: Record<string, string>; notFor?: string }[] = [
  { name: "an evil Origin with JSON", headers: { origin: "http://evil.com", "content-type": "application/json" } },
  {
    name: "an evil Origin with octet-stream",
    headers: { origin: "http://evil.com", "content-type": "application/octet-stream" },
    // A PATCH body that is not JSON is refused with a 415 before anything else.
    notFor: "PATCH",
  },
  { name: "an evil Origin and no content type", headers: { origin: "http://evil.com" }, notFor: "PATCH" },
  { name: "Origin null", headers: { origin: "null", "content-type": "application/json" } },
  {
    name: "Sec-Fetch-Site: cross-site",
    headers: { "sec-fetch-site": "cross-site", "content-type": "application/json" },
  },
  { name: "Sec-Fetch-Site: same-site", headers: { "sec-fetch-site": "same-site", "content-type": "application/json" } },
  {
    name: "Sec-Fetch-Site: cross-site beside a same Origin",
    headers: { "sec-fetch-site": "cross-site", origin: ORIGIN, "content-type": "application/json" },
  },
];

describe("the cookie routes that change state", () => {
  for (const route of routes) {
    for (const request of crossSite.filter((r) => r.notFor !== route.method)) {
      it(`refuses ${route.method} ${route.path} with ${request.name}, leaving the session as it was`, async () => {
        const token = await login(t, "csrf-victim", { data: { plan: "free" } });
        const res = await t.request(`${ORIGIN}${route.path}`, {
          method: route.method,
          headers: { cookie: `${COOKIE}=${token}`, ...request.headers },
          body: route.body,
        });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual(forbidden(route.path));
        const still = await current(t, token);
        expect(still.status).toBe(200);
        expect(((await still.json()) as { data: unknown }).data).toEqual({ plan: "free" });
      });
    }
  }

  it.each([
    ["this origin", { origin: ORIGIN }],
    ["PUBLIC_URL's origin", { origin: "https://public.example" }],
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
    ["no Origin and no Sec-Fetch-Site (no browser)", {}],
  ])("lets a PATCH with %s through", async (_name, headers) => {
    const token = await login(t, "csrf-friend");
    const res = await t.request(`${ORIGIN}/api/sessions/current`, {
      method: "PATCH",
      headers: { cookie: `${COOKIE}=${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ data: { plan: "pro" } }),
    });
    expect(res.status).toBe(200);
  });
});
