import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminHeaders, cleanup, jsonHeaders } from "../support.ts";
import { asAdmin, dumpPrefix, expectStatus, ORIGIN, reliabilityApp, sessionToken } from "./helpers.ts";

const t = reliabilityApp("secrets");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("a dump of Redis", () => {
  it("holds no live session cookie, no link password, no admin token and no user id in a key", async () => {
    const userId = "alice@example.com";
    const created = await t.request(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ userId, data: { plan: "pro" } }),
    });
    expect(created.status).toBe(201);
    const token = sessionToken(created);
    // A rotated session's new cookie too.
    const rotated = await t.request(`${ORIGIN}/api/sessions/current/rotate`, {
      method: "POST",
      headers: { cookie: `__Host-session=${token}`, origin: ORIGIN },
    });
    expect(rotated.status).toBe(200);
    const newToken = sessionToken(rotated);

    const password = "correct horse battery staple";
    await expectStatus(asAdmin(t, "POST", "/api/links", { url: "https://ok.example/", password }), 201);

    // The dashboard's sign-in starts an admin session from the admin token.
    const login = await t.request("http://edgekit.test/admin/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://edgekit.test" },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    const adminCookie = (login.headers.get("set-cookie") ?? "").split(";")[0]?.split("=")[1] ?? "";

    const dump = await dumpPrefix(t.bindings.KEY_PREFIX ?? "");
    expect([...dump.keys()].some((key) => key.includes(":session:"))).toBe(true);
    const secrets = {
      "session cookie": token,
      "its secret half": token.split(".")[1] ?? token,
      "rotated cookie": newToken,
      "rotated secret half": newToken.split(".")[1] ?? newToken,
      "link password": password,
      "admin token": ADMIN_TOKEN,
      "admin session cookie": adminCookie,
      "admin session secret half": adminCookie.split(".")[1] ?? adminCookie,
    };
    const leaks = Object.entries(secrets).flatMap(([what, secret]) =>
      [...dump]
        .filter(([key, value]) => key.includes(secret) || value.includes(secret))
        .map(([key]) => `${what} in ${key}`),
    );
    expect(leaks).toEqual([]);
    expect([...dump.keys()].filter((key) => key.includes(userId))).toEqual([]);
  });
});
