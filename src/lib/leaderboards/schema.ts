import { z } from "zod";
import { FLAG_KEY } from "../flags/schema.ts";

/**
 * The shape of a board's settings, validated whole on every write. Scores are integers with
 * |score| ≤ 2^53 − 1 (Number.MAX_SAFE_INTEGER): above it a JSON number may already have been
 * rounded by the parser, so no larger bound can be checked honestly.
 */

/** Board keys have the same limits as flag keys (they enter the Redis key, inside a hash tag). */
export const BOARD_KEY = FLAG_KEY;
export const boardKeySchema = z.string().regex(BOARD_KEY, "use 1 to 128 of A-Z a-z 0-9 _ . -");

export const MAX_BOARDS = 1000;
export const MAX_MEMBER = 256;
export const MAX_SCORE = Number.MAX_SAFE_INTEGER;

export const WINDOWS = ["all", "day", "week", "month"] as const;
export type Window = (typeof WINDOWS)[number];
export const RULES = ["best", "sum", "last", "min"] as const;
export type Rule = (typeof RULES)[number];

export const memberSchema = z
  .string()
  .min(1, "a member id is 1 to 256 characters")
  .max(MAX_MEMBER, `a member id is at most ${MAX_MEMBER} characters`);

export const scoreSchema = z
  .number()
  .refine(Number.isSafeInteger, `scores are integers with |score| ≤ 2^53 − 1 (${MAX_SCORE})`);

/** True when `zone` names an IANA time zone this runtime's Intl knows. */
export function isTimeZone(zone: string): boolean {
  if (zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What an admin sends in `PUT /api/leaderboards/{board}`; every field has a default. */
export const boardInputSchema = z.strictObject({
  order: z.enum(["high", "low"]).default("high").describe("high: higher is better; low: lower is better"),
  rule: z.enum(RULES).default("best"),
  windows: z
    .array(z.enum(WINDOWS))
    .min(1, "keep at least one window")
    .max(WINDOWS.length)
    .refine((w) => new Set(w).size === w.length, "windows must be unique")
    .default([...WINDOWS]),
  timeZone: z.string().refine(isTimeZone, "use an IANA time zone such as UTC or Europe/Paris").default("UTC"),
  ties: z.enum(["shared", "earliest"]).default("shared"),
  range: z
    .strictObject({ min: scoreSchema, max: scoreSchema })
    .refine((r) => r.min <= r.max, { message: "min must be ≤ max", path: ["min"] })
    .default({ min: -MAX_SCORE, max: MAX_SCORE }),
  submit: z
    .enum(["server", "session"])
    .default("server")
    .describe("server: admin only; session: also the signed-in user, as their own member"),
});

export type BoardInput = z.input<typeof boardInputSchema>;
export type BoardSettings = z.output<typeof boardInputSchema>;

/** A board as stored and returned. `stamp` changes on every write of the settings. */
export interface Board extends BoardSettings {
  key: string;
  stamp: string;
  createdAt: number;
  updatedAt: number;
}

/** Settings that give stored scores their meaning: changing one would corrupt the ranks kept. */
export const FIXED_SETTINGS = ["order", "ties", "timeZone"] as const;
