import { afterAll, describe, expect, it } from "vitest";
import { formHeaders, ORIGIN, signIn } from "../dashboard/session.ts";
import { reliabilityApp } from "../reliability/helpers.ts";
import { adminHeaders, cleanup, redisCommand } from "../support.ts";
import { makeKey } from "./helpers.ts";

const t = reliabilityApp("access-concurrency", {
  bindings: { REDIS_TIMEOUT_MS: "10000", RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 } }) },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("under concurrency", () => {
  it("twenty revocations of one key at once all answer the same, first revocation", async () => {
    const key = await makeKey(t, ["links:read"]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.request(`/api/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(answers.map((res) => res.json()))) as { revokedAt: number }[];
    expect(new Set(bodies.map((b) => b.revokedAt)).size).toBe(1);
    const fields = await redisCommand<string[]>("HGETALL", `${t.bindings.KEY_PREFIX}edgekit:access:keys`);
    expect(fields.filter((f) => f === `r:${key.id}`)).toHaveLength(1);
  });

  it("ten creations of one user name at once make exactly one user", async () => {
    const root = await signIn(t);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.request(`${ORIGIN}/admin/users`, {
          method: "POST",
          headers: formHeaders({ cookie: root }),
          body: new URLSearchParams({ name: "race", password: `password number ${i}`, role: "viewer" }).toString(),
        }),
      ),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
  });
});
