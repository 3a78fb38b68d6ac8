import { afterAll, describe, expect, it } from "vitest";
import { formHeaders, signIn } from "../dashboard/session.ts";
import { cleanup } from "../support.ts";
import { createQueue, enqueue, job, jobsApp, receiver, run } from "./helpers.ts";

const t = jobsApp("jobs-dashboard");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const post = (path: string, fields: Record<string, string>, headers: Record<string, string>) =>
  t.request(path, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

describe("the queues dashboard", () => {
  it("lists queues with their counters, shows dead letters and replays one with a button", async () => {
    const r = receiver("dashboard");
    await createQueue(t, "dash", { maxAttempts: 1 });
    await r.program({ status: 500 });
    const { id } = await enqueue(t, "dash", { target: r.url });
    await run(t, "dash");
    const cookie = await signIn(t);

    const list = await t.request("/admin/queues", { headers: { cookie } });
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain('<tr data-queue="dash">');
    expect(listHtml).toContain('href="/admin/queues"');

    const page = await t.request("/admin/queues/dash", { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain(`<tr data-job="${id}">`);
    expect(html).toContain("exhausted");
    expect(html).toContain(`<input type="hidden" name="id" value="${id}"/>`);

    const replay = await post("/admin/queues/dash/dlq/replay", { id }, formHeaders({ cookie }));
    expect([replay.status, replay.headers.get("location")]).toEqual([303, "/admin/queues/dash?done=replayed&n=1"]);
    expect(await job(t, id)).toMatchObject({ status: "queued", attempts: 0 });
    expect(await run(t, "dash")).toMatchObject({ succeeded: 1 });
    expect((await r.log()).requests.map((q) => q.headers["webhook-id"])).toEqual([id, id]);
  });

  it("enables a disabled endpoint and purges dead letters", async () => {
    const r = receiver("dashboard-gone");
    await createQueue(t, "dash-gone");
    await r.program({ status: 410 });
    await enqueue(t, "dash-gone", { target: r.url });
    await run(t, "dash-gone");
    const cookie = await signIn(t);
    expect(await (await t.request("/admin/queues/dash-gone", { headers: { cookie } })).text()).toContain(
      `data-endpoint="${r.origin}"`,
    );
    const enabled = await post(
      "/admin/queues/dash-gone/endpoints/enable",
      { endpoint: r.origin },
      formHeaders({ cookie }),
    );
    expect(enabled.status).toBe(303);
    const purged = await post("/admin/queues/dash-gone/dlq/purge", {}, formHeaders({ cookie }));
    expect(purged.headers.get("location")).toBe("/admin/queues/dash-gone?done=purged&n=1");
    expect(await t.json("GET", "/api/queues/dash-gone/stats")).toMatchObject({ dlq: 0, disabledEndpoints: [] });
  });

  it("refuses a cross-origin replay (CSRF) and a queue that does not exist", async () => {
    const cookie = await signIn(t);
    const forged = await post(
      "/admin/queues/dash/dlq/replay",
      {},
      formHeaders({ cookie, origin: "https://evil.example" }),
    );
    expect(forged.status).toBe(403);
    expect((await t.request("/admin/queues/nope", { headers: { cookie } })).status).toBe(404);
  });
});
