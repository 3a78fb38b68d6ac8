import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { fieldErrorsOf } from "../field-errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { decodeReply } from "./decode.ts";
import { listIndexKey, listKeys } from "./keys.ts";
import source from "./put-list.lua";
import { type ListInput, listInputSchema, MAX_LISTS, type TrendingList } from "./schema.ts";

type PutReply =
  | { outcome: "ok"; created: boolean; createdAt: number; landmark: number }
  | { outcome: "full" }
  | { outcome: "fixed"; was: number };

const putScript = defineScript(source, (reply) => reply);

/**
 * Creates or replaces a trending list's settings in one script. The landmark (the time decay is
 * measured from) is set when the list is created and never moves; the half-life may change only
 * while the list is empty (409 otherwise), since every stored sum was decayed with it.
 */
export async function putList(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  now: number,
  key: string,
  input: ListInput,
): Promise<{ list: TrendingList; created: boolean }> {
  const keys = listKeys(config, key);
  const parsed = listInputSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError(fieldErrorsOf(parsed.error));
  }
  const settings = parsed.data;
  const at = Math.floor(now);
  const def: Omit<TrendingList, "createdAt" | "landmark"> = { key, ...settings, updatedAt: at };
  const reply = decodeReply<PutReply>(
    await putScript.run(
      redis,
      [keys.list, keys.items, listIndexKey(config)],
      [JSON.stringify(def), settings.halfLifeSeconds, settings.cap, settings.undoSeconds, key, at, MAX_LISTS],
    ),
    key,
  );
  if (reply.outcome === "full") {
    throw new AppError("conflict", `There are ${MAX_LISTS} trending lists already: delete one first.`, {
      extensions: { limit: MAX_LISTS },
    });
  }
  if (reply.outcome === "fixed") {
    throw new AppError(
      "conflict",
      `The half-life cannot change while the list holds items (it is ${reply.was} s): delete the list first.`,
      { extensions: { field: "halfLifeSeconds" } },
    );
  }
  return { list: { ...def, landmark: reply.landmark, createdAt: reply.createdAt }, created: reply.created };
}
