import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { decodeJson } from "./decode.ts";
import { boardKeys } from "./keys.ts";
import { namedPeriod, PERIOD_HINT, type Period, periodAt } from "./periods.ts";
import source from "./read-board.lua";
import type { Board, Window } from "./schema.ts";
import { type BoardOutcome, oneShot, withBoard } from "./with-board.ts";

export interface Row {
  member: string;
  score: number;
  rank: number;
}

/** Which window and period to read: the board's first window and the current period by default. */
export interface WindowQuery {
  window?: Window;
  period?: string;
  now: number;
  limit?: ScriptLimit;
}

interface Header {
  board: Board;
  window: Window;
  period: string;
  endsAt: string | null;
  total: number;
}

export type Page = Header & { entries: Row[]; member: Row | null };
export type Around = Header & { entries: Row[]; member: Row | null };
export type Ranks = Header & { ranks: { member: string; score: number | null; rank: number | null }[] };

type RawRow = { member: string; score: string | null; rank: number | null };
type RawValue = { total: number; entries?: RawRow[] | Record<string, never>; me?: RawRow; ranks?: RawRow[] };

const readScript = limitedScript(source, (reply) => decodeJson<BoardOutcome<RawValue>>(reply));

const toRow = (row: RawRow): Row => ({ member: row.member, score: Number(row.score), rank: Number(row.rank) });
const list = (rows: RawValue["entries"]): RawRow[] => (Array.isArray(rows) ? rows : []);

/** The window and period a read names, checked against the board. */
function choosePeriod(board: Board, query: WindowQuery): Period {
  const window = query.window ?? board.windows[0] ?? "all";
  if (!board.windows.includes(window)) {
    throw validationError([
      { path: "window", message: `board "${board.key}" keeps ${board.windows.join(", ")}, not ${window}` },
    ]);
  }
  if (query.period === undefined) return periodAt(window, board.timeZone, query.now);
  const period = namedPeriod(window, board.timeZone, query.period);
  if (!period) throw validationError([{ path: "period", message: `not a ${window} period: ${PERIOD_HINT}` }]);
  return period;
}

/** One read in one round trip: the script for the chosen window, with the board's stamp. */
async function read(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
  query: WindowQuery,
  args: (string | number)[],
): Promise<Header & { raw: RawValue }> {
  const keys = boardKeys(config, key);
  const limit = oneShot(query.limit);
  return withBoard(redis, config, key, async (board) => {
    const period = choosePeriod(board, query);
    const reply = await readScript.run(redis, [keys.board, ...keys.window(period)], [board.stamp, ...args], limit());
    if (reply.outcome !== "ok") return reply;
    const header: Header = {
      board,
      window: period.window,
      period: period.id,
      endsAt: period.endsAt === null ? null : new Date(period.endsAt).toISOString(),
      total: reply.value.total,
    };
    return { outcome: "ok", value: { ...header, raw: reply.value } };
  });
}

/**
 * A page of a window (ranks from offset + 1), the total, when the period ends, and one member's
 * row (null when absent), in one round trip.
 *
 * @example
 * const page = await readTop(redis, config, "race", { window: "week", offset: 0, count: 10, member: "alice", now });
 */
export async function readTop(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
  query: WindowQuery & { offset: number; count: number; member?: string },
): Promise<Page> {
  const { raw, ...header } = await read(redis, config, key, query, [
    "top",
    query.offset,
    query.count,
    query.member ?? "",
  ]);
  return { ...header, entries: list(raw.entries).map(toRow), member: raw.me ? toRow(raw.me) : null };
}

/**
 * Up to 2k + 1 rows around a member, shifted at the top and bottom so the window stays full
 * whenever the board holds that many rows. An absent member gives no rows and `member: null`.
 */
export async function readAround(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
  query: WindowQuery & { member: string; k: number },
): Promise<Around> {
  const { raw, ...header } = await read(redis, config, key, query, ["around", query.member, query.k]);
  return { ...header, entries: list(raw.entries).map(toRow), member: raw.me ? toRow(raw.me) : null };
}

/** The ranks and scores of given members (friends, a team), null for those not on the window. */
export async function readRanks(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  key: string,
  query: WindowQuery & { members: string[] },
): Promise<Ranks> {
  const { raw, ...header } = await read(redis, config, key, query, ["ranks", ...query.members]);
  const ranks = list(raw.ranks).map((row) =>
    row.rank === null || row.rank === undefined
      ? { member: row.member, score: null, rank: null }
      : { member: row.member, score: Number(row.score), rank: Number(row.rank) },
  );
  return { ...header, ranks };
}
