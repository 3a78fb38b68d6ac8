import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { createQueue, enqueue, job, jobsApp, receiver, run } from "./helpers.ts";

const t = jobsApp("jobs-webhooks");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("a webhook", () => {
  it("is delivered by a pull, signed, and acknowledged on 2xx", async () => {
    const r = receiver("ok");
    await createQueue(t, "orders");
    const { id } = await enqueue(t, "orders", { target: r.url, body: { type: "order.paid", id: 7 } });
    expect(await run(t, "orders")).toMatchObject({ attempted: 1, succeeded: 1 });
    const { requests } = await r.log();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toBe('{"type":"order.paid","id":7}');
    expect(requests[0]?.headers["webhook-id"]).toBe(id);
    expect(await job(t, id)).toMatchObject({ status: "done", attempts: 1, history: [{ status: 200, error: null }] });
    expect(await run(t, "orders")).toMatchObject({ attempted: 0 });
  });
});
