import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { boardNotFound, loadBoard, rememberBoard } from "./board-store.ts";
import source from "./delete-board.lua";
import { boardIndexKey, boardKeys } from "./keys.ts";
import { periodId } from "./periods.ts";
import { WINDOWS } from "./schema.ts";

const deleteScript = defineScript(source, (reply) => Array.isArray(reply) && Number(reply[0]) === 1);

const HOUR_MS = 3_600_000;
/** Probes per window: every 12 h over the two periods before now and the one after (DST-proof). */
const REACH: Record<(typeof WINDOWS)[number], [back: number, ahead: number]> = {
  all: [0, 0],
  day: [50 * HOUR_MS, 26 * HOUR_MS],
  week: [15 * 24 * HOUR_MS, 8 * 24 * HOUR_MS],
  month: [63 * 24 * HOUR_MS, 32 * 24 * HOUR_MS],
};

/**
 * Deletes a board and every window of it, in one script (after one read of its time zone). A
 * window key expires at the end of the period after its own, so only the previous, current and
 * next periods of each window can exist: those are listed, for every window kind, kept or not.
 */
export async function deleteBoard(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, key: string, now: number) {
  const keys = boardKeys(config, key);
  const board = await loadBoard(redis, config, key);
  const windowKeys = new Set<string>();
  for (const window of WINDOWS) {
    const [back, ahead] = REACH[window];
    for (let at = now - back; at <= now + ahead; at += 12 * HOUR_MS) {
      for (const k of keys.window({ window, id: periodId(window, board.timeZone, at) })) windowKeys.add(k);
    }
  }
  const deleted = await deleteScript.run(redis, [keys.board, boardIndexKey(config), ...windowKeys], [key]);
  rememberBoard(config, key, null);
  if (!deleted) throw boardNotFound(key);
}
