import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";
import { namespace } from "../keys.ts";
import type { Period } from "./periods.ts";
import { BOARD_KEY } from "./schema.ts";

/**
 * Every Redis key of the leaderboards primitive. The keys of one board share the hash tag
 * `{<board>}`, so a submit that writes every window lands in one cluster slot; only the index of
 * boards is shared. `board` is checked against BOARD_KEY (no braces) here too.
 *
 *   {ns}lb:{<board>}                     hash: def (the settings' JSON), stamp, createdAt
 *   {ns}lb:{<board>}:<window>:<period>   sorted set: member -> stored score (the score, negated
 *                                        on high boards, so "better" is always "lower")
 *   {ns}lb:{<board>}:<window>:<period>:o sorted set, every score 0 ("earliest" ties only): one
 *                                        member per entry, <sign><16-digit magnitude><15-digit
 *                                        ms reached><member>, so byte order is rank order
 *   {ns}lb:{<board>}:<window>:<period>:t hash ("earliest" only): member -> ms its score was reached
 *   {ns}lbs                              sorted set (SHARED by every board): board -> created at
 *
 * Window keys carry their period in the name and expire at the end of the period after it
 * (PEXPIREAT), so last period stays readable and nothing runs at midnight.
 */
export function boardKeys(config: Pick<Config, "KEY_PREFIX">, board: string) {
  if (!BOARD_KEY.test(board)) {
    throw validationError([{ path: "board", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  }
  const base = `${namespace(config)}lb:{${board}}`;
  return {
    board: base,
    /** The three keys of one window's period, in the order every script takes them. */
    window: (period: Pick<Period, "window" | "id">) => {
      const scores = `${base}:${period.window}:${period.id}`;
      return [scores, `${scores}:o`, `${scores}:t`] as const;
    },
  };
}

/** The shared index of board keys. */
export function boardIndexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}lbs`;
}
