import { afterAll, describe, expect, it } from "vitest";
import { CSP } from "../../../src/lib/content-security.ts";
import { postForm, signIn } from "../dashboard/session.ts";
import { cleanup, testApp } from "../support.ts";

const t = testApp("realtime-demo", { bindings: { RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 } }) } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const post = (cookie: string, path: string, fields: Record<string, string>) => postForm(t, path, cookie, fields);

describe("the browser client and the dashboard's realtime demo", () => {
  it("serves /client.js with EventSource resume and gap handling", async () => {
    const res = await t.request("/client.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const script = await res.text();
    for (const piece of ["new EventSource", '"gap"', "last=", "sendBeacon"]) expect(script).toContain(piece);
  });

  it("shows the channel, the room and the inbox, and its forms publish, notify and mark read", async () => {
    const cookie = await signIn(t);
    expect((await post(cookie, "/admin/realtime/publish", { text: "hello demo" })).status).toBe(303);
    expect((await post(cookie, "/admin/realtime/notify", { title: "Ping" })).status).toBe(303);
    const page = await t.request("/admin/realtime", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(CSP.realtimeDemo);
    const html = await page.text();
    expect(html).toContain("hello demo");
    expect(html).toContain("● Ping");
    expect(html).toMatch(/<span id="rt-unread">1<\/span>/);
    expect((await post(cookie, "/admin/realtime/read", { upTo: "1" })).status).toBe(303);
    const after = await (await t.request("/admin/realtime", { headers: { cookie } })).text();
    expect(after).toMatch(/<span id="rt-unread">0<\/span>/);
    const script = await t.request("/admin/realtime.js", { headers: { cookie } });
    expect(await script.text()).toContain("edgekit.subscribe");
    expect((await post(cookie, "/admin/realtime/publish", { text: "" })).status).toBe(422);
  });
});
