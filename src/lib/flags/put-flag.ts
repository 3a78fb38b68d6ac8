import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { fieldErrorsOf } from "../field-errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { checkActor, DEFAULT_ACTOR, decodeWriteReply, HISTORY_LIMIT } from "./audit.ts";
import { invalidateFlagSet } from "./cache.ts";
import { flagKeys } from "./keys.ts";
import source from "./put-flag.lua";
import { FLAG_KEY, type Flag, type FlagInput, flagInputSchema, toFlag } from "./schema.ts";

/** -1 in the reply's first slot: the compare-and-set (`ifUpdatedAt`) found another version. */
const putScript = defineScript(source, (reply) =>
  Array.isArray(reply) && reply[0] === -1 ? ("stale" as const) : decodeWriteReply(reply),
);

export interface PutFlagResult {
  flag: Flag;
  created: boolean;
  version: number;
}

/**
 * Creates or replaces a flag: validates it whole, then one script writes it, appends the audit
 * entry and bumps the flag-set version. Nothing is written when validation fails.
 *
 * `ifUpdatedAt` makes the write conditional (compare-and-set, in the same script): it is refused
 * with a 409 when the stored flag's `updatedAt` differs, e.g. an edit from a page out of date.
 *
 * @example
 * await putFlag(redis, config, now, "new-checkout", { enabled: true, type: "boolean", ... }, "alice")
 */
export async function putFlag(
  redis: RedisClient,
  config: Config,
  now: number,
  key: string,
  input: FlagInput,
  actor: string = DEFAULT_ACTOR,
  ifUpdatedAt?: number,
): Promise<PutFlagResult> {
  if (!FLAG_KEY.test(key)) throw validationError([{ path: "key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  checkActor(actor);
  const parsed = flagInputSchema.safeParse(input);
  if (!parsed.success) throw validationError(fieldErrorsOf(parsed.error));
  const flag = toFlag(key, parsed.data, now);
  const keys = flagKeys(config, key);
  const reply = await putScript.run(
    redis,
    [keys.flags, keys.version, keys.history],
    [key, JSON.stringify(flag), Math.floor(now), JSON.stringify(actor), HISTORY_LIMIT, ifUpdatedAt ?? ""],
  );
  if (reply === "stale") {
    throw new AppError("conflict", `The flag "${key}" was changed meanwhile. Reload it and try again.`);
  }
  invalidateFlagSet(config);
  return { flag, created: reply.changed, version: reply.version };
}
