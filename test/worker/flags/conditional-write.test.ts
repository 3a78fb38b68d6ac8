import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { AppError } from "../../../src/lib/errors.ts";
import { getFlag } from "../../../src/lib/flags/get-flag.ts";
import { putFlag } from "../../../src/lib/flags/put-flag.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, testBindings } from "../support.ts";
import { flagInput } from "./fixtures.ts";

const bindings = testBindings("flags-cas");
const config = loadConfig(bindings);
const redis = createRedis(config);
afterAll(() => cleanup(bindings.KEY_PREFIX ?? ""));

describe("putFlag with ifUpdatedAt (compare-and-set)", () => {
  it("writes when the stored flag still has the updatedAt the caller saw", async () => {
    const { flag } = await putFlag(redis, config, 1_000, "cas-ok", flagInput());
    const result = await putFlag(redis, config, 2_000, "cas-ok", { ...flagInput(), enabled: false }, "admin", 1_000);
    expect(result.flag).toMatchObject({ enabled: false, updatedAt: 2_000 });
    expect(flag.updatedAt).toBe(1_000);
  });

  it("refuses with a 409 and writes nothing when the flag changed meanwhile", async () => {
    await putFlag(redis, config, 1_000, "cas-stale", flagInput());
    await putFlag(redis, config, 1_500, "cas-stale", flagInput(), "someone-else");
    const stale = putFlag(redis, config, 2_000, "cas-stale", { ...flagInput(), enabled: false }, "admin", 1_000);
    await expect(stale).rejects.toSatisfy((error) => error instanceof AppError && error.code === "conflict");
    expect(await getFlag(redis, config, "cas-stale")).toMatchObject({ enabled: true, updatedAt: 1_500 });
  });

  it("lets exactly one of 20 concurrent edits from the same page win", async () => {
    await putFlag(redis, config, 1_000, "cas-race", flagInput());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        putFlag(redis, config, 2_000 + i, "cas-race", { ...flagInput(), enabled: i % 2 === 0 }, "admin", 1_000),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
  });
});
