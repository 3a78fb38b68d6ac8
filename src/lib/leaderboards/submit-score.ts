import type { Config } from "../../env.ts";
import { AppError, validationError } from "../errors.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { decodeJson } from "./decode.ts";
import { boardKeys } from "./keys.ts";
import { periodAt } from "./periods.ts";
import type { Board, Window } from "./schema.ts";
import source from "./submit-score.lua";
import { type BoardOutcome, oneShot, withBoard } from "./with-board.ts";

/** What one window answers to a submit (Steam's upload reply, for every window at once). */
export interface WindowResult {
  period: string;
  /** The member's score in this window after the submit. */
  score: number;
  /** False when the rule kept the stored score (a lower score on a best board). */
  changed: boolean;
  rank: number;
  /** The rank before the submit; null when the member was not on this window yet. */
  previousRank: number | null;
  /** Members on this window. */
  total: number;
  /** When the period ends (ISO 8601); null for the all window. */
  endsAt: string | null;
}

export interface Submitted {
  board: string;
  member: string;
  windows: Partial<Record<Window, WindowResult>>;
}

/** Who submits: an admin (any member), or a signed-in user (their own member only). */
export type Submitter = { kind: "server" } | { kind: "session"; userId: string };

type ScriptRow = Omit<WindowResult, "period" | "endsAt" | "score"> & { score: string };
type SubmitReply = BoardOutcome<ScriptRow[]> | { outcome: "overflow"; window: number };

// limitedScript: the submit's rate-limit check runs inside the same script (one round trip).
const submitScript = limitedScript(source, (reply) => decodeJson<SubmitReply>(reply));

/**
 * Submits a score to every window of a board in ONE round trip (the board's settings come from
 * this isolate's copy, confirmed by the script's stamp check). Refuses with 422 a score outside
 * the board's range or a sum that would leave ±(2^53 − 1), and with 403 a session user writing
 * another member or a board that takes server submits only.
 *
 * @example
 * const result = await submitScore(redis, config, { board: "race", member: "alice", score: 120, now, by: { kind: "server" } });
 * result.windows.day?.rank; // 1
 */
export async function submitScore(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { board: string; member: string; score: number; now: number; by: Submitter; limit?: ScriptLimit },
): Promise<Submitted> {
  const keys = boardKeys(config, input.board);
  const limit = oneShot(input.limit);
  const windows = await withBoard(redis, config, input.board, async (board) => {
    checkSubmit(board, input);
    const periods = board.windows.map((window) => periodAt(window, board.timeZone, input.now));
    const reply = await submitScript.run(
      redis,
      [keys.board, ...periods.flatMap((period) => keys.window(period))],
      [
        board.stamp,
        board.rule,
        input.member,
        input.score,
        Math.floor(input.now),
        ...periods.map((period) => period.expiresAt ?? 0),
      ],
      limit(),
    );
    if (reply.outcome === "overflow") {
      throw validationError(
        [{ path: "score", message: "the sum would pass ±(2^53 − 1), the largest exact total" }],
        `Adding ${input.score} would take the ${periods[reply.window - 1]?.window} total of "${input.member}" past ±(2^53 − 1).`,
      );
    }
    if (reply.outcome !== "ok") return reply;
    const value: Submitted["windows"] = {};
    reply.value.forEach((row, i) => {
      const period = periods[i];
      if (!period) return;
      value[period.window] = {
        period: period.id,
        score: Number(row.score),
        changed: row.changed,
        rank: row.rank,
        previousRank: row.previousRank ?? null,
        total: row.total,
        endsAt: period.endsAt === null ? null : new Date(period.endsAt).toISOString(),
      };
    });
    return { outcome: "ok" as const, value };
  });
  return { board: input.board, member: input.member, windows };
}

function checkSubmit(board: Board, input: { member: string; score: number; by: Submitter }): void {
  if (input.by.kind === "session") {
    if (board.submit !== "session") {
      throw new AppError("forbidden", `Board "${board.key}" takes scores from the server only (submit: "server").`);
    }
    if (input.by.userId !== input.member) {
      throw new AppError("forbidden", "A signed-in user may submit scores for their own member only.");
    }
  }
  const { min, max } = board.range;
  if (input.score < min || input.score > max) {
    throw validationError([{ path: "score", message: `must be between ${min} and ${max}, the board's range` }]);
  }
}
