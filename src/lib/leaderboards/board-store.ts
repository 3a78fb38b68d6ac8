import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { boardKeys } from "./keys.ts";
import type { Board } from "./schema.ts";

type KeyConfig = Pick<Config, "KEY_PREFIX">;

/** The 404 every leaderboards operation answers for a key that names no board. */
export function boardNotFound(board: string): AppError {
  return new AppError("not_found", `No leaderboard "${board}". Create it with PUT /api/leaderboards/${board}.`);
}

/** Decodes a board from its hash's `def` and `createdAt` fields (null when there is no board). */
export function decodeBoard(def: unknown, createdAt: unknown): Board | null {
  if (typeof def !== "string" || def === "") return null;
  return { ...(JSON.parse(def) as Omit<Board, "createdAt">), createdAt: Number(createdAt) };
}

/**
 * Boards as this isolate last saw them, by namespaced key. Every script that depends on the
 * settings is given the cached `stamp` and answers "stale" (with the current settings) when the
 * board was rewritten since, so a stale entry costs one more round trip, never a wrong write.
 */
const cache = new Map<string, Board>();
const cacheId = (config: KeyConfig, board: string) => `${config.KEY_PREFIX}\u0000${board}`;

export function cachedBoard(config: KeyConfig, board: string): Board | undefined {
  return cache.get(cacheId(config, board));
}

export function rememberBoard(config: KeyConfig, board: string, value: Board | null): void {
  const id = cacheId(config, board);
  if (!value) {
    cache.delete(id);
    return;
  }
  if (cache.size >= 2048 && !cache.has(id)) cache.clear();
  cache.set(id, value);
}

/** Reads one board's settings (one HMGET) and remembers them; throws 404 when there is none. */
export async function loadBoard(redis: RedisClient, config: KeyConfig, board: string): Promise<Board> {
  // The raw reply (automatic deserialization is off): an array of strings or nulls.
  const reply = (await redis.hmget(boardKeys(config, board).board, "def", "createdAt")) as unknown;
  const [def, createdAt] = Array.isArray(reply) ? reply : [];
  const value = decodeBoard(def, createdAt);
  rememberBoard(config, board, value);
  if (!value) throw boardNotFound(board);
  return value;
}
