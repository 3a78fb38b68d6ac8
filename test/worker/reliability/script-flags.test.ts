import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import followSource from "../../../src/lib/links/follow-link.lua";
import readSource from "../../../src/lib/links/read-link.lua";
import { readLink } from "../../../src/lib/links/read-link.ts";
import { wrap } from "../../../src/lib/ratelimit/limited-script.ts";
import { createRedis, defineScript, scriptFlags } from "../../../src/lib/redis.ts";
import { cleanup, redisCommand, testBindings } from "../support.ts";

// The whole worker suite runs against the proxy in Upstash-strict mode (test/setup/global.ts),
// so every script in the tree is checked on every run; this file pins the rules themselves.
const bindings = testBindings("script-flags");
const config = loadConfig(bindings);
const redis = createRedis(config);
const prefix = bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

/** How many times Redis has run a command, from INFO commandstats. */
async function calls(command: string): Promise<number> {
  const info = await redisCommand<string>("INFO", "commandstats");
  const line = info.split("\n").find((l) => l.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? "")?.[1] ?? 0);
}

describe("Upstash script flags", () => {
  it("sends a no-writes script as EVALSHA_RO", async () => {
    expect(scriptFlags(readSource)).toEqual(["no-writes", "allow-key-locking"]);
    await readLink(redis, config, "no-such-link");
    const before = await calls("evalsha_ro");
    expect(await readLink(redis, config, "no-such-link")).toBeNull();
    expect((await calls("evalsha_ro")) - before).toBe(1);
  });

  it("refuses, in strict mode, a flagged script that touches a key not in KEYS", async () => {
    const sneaky = defineScript(
      `#!lua flags=allow-key-locking\nreturn redis.call("INCR", KEYS[1] .. ":elsewhere")`,
      (reply) => reply,
    );
    await expect(sneaky.run(redis, [`${prefix}declared`], [])).rejects.toThrow(
      `ERR Script attempted to access key '${prefix}declared:elsewhere' which is not in KEYS`,
    );
    expect(await redisCommand("EXISTS", `${prefix}declared:elsewhere`)).toBe(0);
  });

  it("keeps the route's flag on the first line when the rate-limit check is folded in", () => {
    const wrapped = wrap(followSource);
    expect(wrapped.split("\n")[0]).toBe("#!lua flags=allow-key-locking");
    // The route's lines keep their numbers, so a Lua error names the line of the .lua file.
    expect(wrapped.split("\n").slice(2, 5)).toEqual(followSource.split("\n").slice(2, 5));
    // A read-only route becomes a writing script once the check (which counts) is folded in.
    expect(wrap(readSource).split("\n")[0]).toBe("#!lua flags=allow-key-locking");
  });
});
