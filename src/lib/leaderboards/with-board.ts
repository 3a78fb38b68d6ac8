import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { boardNotFound, cachedBoard, decodeBoard, loadBoard, rememberBoard } from "./board-store.ts";
import type { Board } from "./schema.ts";

/** What a settings-dependent script answers: its result, or the board as it now is. */
export type BoardOutcome<T> =
  | { outcome: "ok"; value: T }
  | { outcome: "stale"; def: string; createdAt: string }
  | { outcome: "missing" };

/**
 * Runs `attempt` with the board's settings: this isolate's copy when it has one (no extra round
 * trip), checked by the script itself against the stored stamp. A "stale" answer carries the
 * current settings, and the attempt runs again with them. A refusal raised from an unconfirmed
 * copy (a range or window another isolate has just changed) is re-checked against a fresh read,
 * so no request is refused on old settings. An attempt that folds a rate-limit check into its
 * script passes it only on the first run that reaches Redis (see `oneShot`).
 */
export async function withBoard<T>(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
  attempt: (board: Board) => Promise<BoardOutcome<T>>,
): Promise<T> {
  let board = cachedBoard(config, key);
  let confirmed = false;
  if (!board) {
    board = await loadBoard(redis, config, key);
    confirmed = true;
  }
  for (let tries = 0; tries < 3; tries++) {
    let result: BoardOutcome<T>;
    try {
      result = await attempt(board);
    } catch (error) {
      const refusal = error instanceof AppError && (error.code === "validation_failed" || error.code === "forbidden");
      if (!refusal || confirmed) throw error;
      board = await loadBoard(redis, config, key);
      confirmed = true;
      continue;
    }
    if (result.outcome === "ok") return result.value;
    const current = result.outcome === "stale" ? decodeBoard(result.def, result.createdAt) : null;
    rememberBoard(config, key, current);
    if (!current) throw boardNotFound(key);
    board = current;
    confirmed = true;
  }
  throw new AppError("conflict", `The settings of board "${key}" changed during the request. Try again.`);
}

/** A value handed out once: a folded rate-limit check must not count a retried attempt again. */
export function oneShot<T>(value: T | undefined): () => T | undefined {
  let left = value;
  return () => {
    const taken = left;
    left = undefined;
    return taken;
  };
}
