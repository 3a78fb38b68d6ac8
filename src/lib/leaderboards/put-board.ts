import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { fieldErrorsOf } from "../field-errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { rememberBoard } from "./board-store.ts";
import { decodeJson } from "./decode.ts";
import { boardIndexKey, boardKeys } from "./keys.ts";
import source from "./put-board.lua";
import { type Board, type BoardInput, boardInputSchema, MAX_BOARDS } from "./schema.ts";

type PutReply =
  | { outcome: "ok"; created: boolean; createdAt: number }
  | { outcome: "full" }
  | { outcome: "fixed"; field: string; was: string };

const putScript = defineScript(source, (reply) => decodeJson<PutReply>(reply));

/**
 * Creates or replaces a board's settings, validated whole first, in one script. Rule, windows,
 * range and who may submit may change at any time (scores kept stay); order, ties and time zone
 * may not, since the stored scores and periods depend on them (409: delete the board first).
 *
 * @example
 * await putBoard(redis, config, now, "weekly-race", { rule: "sum", windows: ["all", "week"] });
 */
export async function putBoard(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  now: number,
  key: string,
  input: BoardInput,
): Promise<{ board: Board; created: boolean }> {
  const keys = boardKeys(config, key); // validates the key first
  const parsed = boardInputSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError(fieldErrorsOf(parsed.error));
  }
  const settings = parsed.data;
  const at = Math.floor(now);
  const stamp = crypto.randomUUID();
  const def: Omit<Board, "createdAt"> = { key, ...settings, stamp, updatedAt: at };
  const reply = await putScript.run(
    redis,
    [keys.board, boardIndexKey(config)],
    [JSON.stringify(def), stamp, settings.order, settings.ties, settings.timeZone, key, at, MAX_BOARDS],
  );
  if (reply.outcome === "full") {
    throw new AppError("conflict", `There are ${MAX_BOARDS} leaderboards already: delete one first.`, {
      extensions: { limit: MAX_BOARDS },
    });
  }
  if (reply.outcome === "fixed") {
    throw new AppError(
      "conflict",
      `A board's ${reply.field} cannot change (it is "${reply.was}"): the stored scores depend on it. Delete the board first.`,
      { extensions: { field: reply.field } },
    );
  }
  const board: Board = { ...def, createdAt: reply.createdAt };
  rememberBoard(config, key, board);
  return { board, created: reply.created };
}
