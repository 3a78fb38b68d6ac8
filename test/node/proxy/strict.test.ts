import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_WIDE, withKeyChecks } from "../../../proxy/strict.ts";
import { type Stack, startStack } from "./helpers.ts";

let strict: Stack;
let plain: Stack;
let redis: Redis;
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const FLAGGED = "#!lua flags=allow-key-locking\n";
const READ_ONLY = "#!lua flags=no-writes,allow-key-locking\n";

beforeAll(async () => {
  [strict, plain] = await Promise.all([startStack({ strict: true }), startStack()]);
  redis = strict.client();
});
afterAll(() => Promise.all([strict.stop(), plain.stop()]));

/** Redis's error message for the script, or "ok" when it ran. */
const outcome = (run: Promise<unknown>) =>
  run.then(
    () => "ok",
    (error: Error) => error.message.replace(/^Command failed: /, ""),
  );

describe("Upstash-strict mode, for a script flagged allow-key-locking", () => {
  it("refuses a key that is not in KEYS, through redis.call and redis.pcall alike", async () => {
    const cases = {
      call: await outcome(redis.eval(`${FLAGGED}return redis.call('SET', 'st:other', 1)`, ["st:k"], [])),
      pcall: await outcome(redis.eval(`${FLAGGED}return redis.pcall('GET', 'st:other')`, ["st:k"], [])),
      built: await outcome(redis.eval(`${FLAGGED}return redis.call('GET', KEYS[1] .. ':x')`, ["st:k"], [])),
      second: await outcome(redis.eval(`${FLAGGED}return redis.call('RENAME', KEYS[1], 'st:to')`, ["st:k"], [])),
    };
    const refused = (key: string) =>
      expect.stringMatching(new RegExp(`^ERR Script attempted to access key '${key}' which is not in KEYS`));
    expect(cases).toEqual({
      call: refused("st:other"),
      pcall: refused("st:other"),
      built: refused("st:k:x"),
      second: refused("st:to"),
    });
    expect(await plain.client().get("st:other")).toBeNull();
  });

  it("finds the keys of every command the way Redis does, numkeys and options included", async () => {
    const script = `${FLAGGED}
      redis.call('ZADD', KEYS[1], 1, 'a')
      redis.call('ZADD', KEYS[2], 2, 'a')
      redis.call('ZUNIONSTORE', KEYS[3], 2, KEYS[1], KEYS[2])
      redis.call('MSET', KEYS[1] .. '', 'x', KEYS[4], 'y')
      return redis.call('ZUNION', 2, KEYS[2], KEYS[3], 'WITHSCORES')`;
    const keys = ["st:z1", "st:z2", "st:z3", "st:s"];
    expect(await outcome(redis.eval(script, keys, []))).toMatch(/WRONGTYPE|ok/);
    const numkeys = `${FLAGGED}return redis.call('ZUNION', 2, KEYS[1], 'st:elsewhere')`;
    expect(await outcome(redis.eval(numkeys, ["st:z1"], []))).toMatch(/'st:elsewhere' which is not in KEYS/);
  });

  it("refuses database-wide commands, as Upstash does under the flag", async () => {
    const results = await Promise.all(
      ["DBSIZE", "RANDOMKEY", "FLUSHDB"].map((name) =>
        outcome(redis.eval(`${FLAGGED}return redis.call('${name}')`, [], [])),
      ),
    );
    expect(results).toEqual([
      expect.stringMatching(/^ERR Script attempted a database-wide command \('dbsize'\)/),
      expect.stringMatching(/^ERR Script attempted a database-wide command \('randomkey'\)/),
      expect.stringMatching(/^ERR Script attempted a database-wide command \('flushdb'\)/),
    ]);
  });

  it("lists the same database-wide commands as the running Redis (keyless, in @keyspace)", async () => {
    const listed = await plain.client().eval<[], string[]>(
      `local out = {}
       for _, c in ipairs(redis.call('COMMAND')) do
         local keyspace, movable = false, false
         for _, cat in ipairs(c[7]) do if cat.ok == '@keyspace' then keyspace = true end end
         for _, f in ipairs(c[3]) do if f.ok == 'movablekeys' then movable = true end end
         if keyspace and c[4] == 0 and not movable then out[#out + 1] = c[1] end
       end
       return out`,
      [],
      [],
    );
    expect([...listed].sort()).toEqual(DATABASE_WIDE);
  });

  it("lets a script touch its KEYS and run keyless commands", async () => {
    const script = `${FLAGGED}redis.call('TIME') redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])`;
    expect(await redis.eval(script, ["st:ok"], ["v"])).toBe("v");
  });

  it("leaves unflagged scripts alone: Upstash gives them the global lock and any key", async () => {
    expect(await redis.eval("return redis.call('SET', 'st:free', 1)", ["st:k"], [])).toBe("OK");
  });

  it("is off by default: the same script runs on a proxy without strict mode", async () => {
    expect(await plain.client().eval(`${FLAGGED}return redis.call('SET', 'st:loose', 1)`, [], [])).toBe("OK");
  });

  it("keeps Lua's line numbers, so an error still points at the client's line", async () => {
    const script = `${FLAGGED}local a = 1\nlocal b = nil\nreturn a + b`;
    expect(await outcome(redis.eval(script, [], []))).toMatch(/@user_script:4/);
  });

  it("answers EVALSHA of a flagged script in one round trip, as without strict mode", async () => {
    const text = `${FLAGGED}return redis.call('INCR', KEYS[1])`;
    await redis.eval(text, ["st:sha"], []);
    const before = await strict.requests();
    expect(await redis.evalsha(sha1(text), ["st:sha"], [])).toBe(2);
    expect((await strict.requests()) - before).toBe(1);
  });
});

describe("no-writes scripts (Redis 7 enforces these itself; strict mode keeps the flag)", () => {
  it("refuses a write from a no-writes script, and EVAL_RO of a script that may write", async () => {
    const results = {
      write: await outcome(redis.eval(`${READ_ONLY}return redis.call('SET', KEYS[1], 1)`, ["st:ro"], [])),
      writeRo: await outcome(redis.evalRo(`${READ_ONLY}return redis.call('SET', KEYS[1], 1)`, ["st:ro"], [])),
      mayWrite: await outcome(redis.evalRo(`${FLAGGED}return redis.call('GET', KEYS[1])`, ["st:ro"], [])),
      read: await outcome(redis.evalRo(`${READ_ONLY}return redis.call('GET', KEYS[1])`, ["st:ro"], [])),
    };
    expect(results).toEqual({
      write: expect.stringMatching(/^ERR Write commands are not allowed from read-only scripts/),
      writeRo: expect.stringMatching(/^ERR Write commands are not allowed from read-only scripts/),
      mayWrite: expect.stringMatching(/^ERR Can not execute a script with write flag using \*_ro command/),
      read: "ok",
    });
  });

  it("runs EVALSHA_RO of a read-only script by the client's SHA", async () => {
    const text = `${READ_ONLY}return redis.call('GET', KEYS[1]) -- by SHA`;
    await redis.set("st:rosha", "v");
    await expect(redis.evalshaRo(sha1(text), ["st:rosha"], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.evalRo(text, ["st:rosha"], [])).toBe("v");
    expect(await redis.evalshaRo(sha1(text), ["st:rosha"], [])).toBe("v");
  });
});

describe("withKeyChecks", () => {
  it("adds its checks on the second line and leaves other scripts as they are", () => {
    const checked = withKeyChecks(`${FLAGGED}-- header\nreturn 1`).split("\n");
    expect(checked).toHaveLength(3);
    expect(checked[0]).toBe("#!lua flags=allow-key-locking");
    expect(checked[1]).toMatch(/^local __ek_redis.*-- header$/);
    expect(withKeyChecks("#!lua flags=no-writes\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
    expect(withKeyChecks("return 1")).toBe("return 1");
  });
});
