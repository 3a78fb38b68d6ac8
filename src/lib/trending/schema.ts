import { z } from "zod";
import { BOARD_KEY } from "../leaderboards/schema.ts";

/** List keys have the same limits as board and flag keys. */
export const LIST_KEY = BOARD_KEY;
export const listKeySchema = z.string().regex(LIST_KEY, "use 1 to 128 of A-Z a-z 0-9 _ . -");
export const MAX_LISTS = 1000;
export const MAX_ITEM = 256;
/** Items whose heat has decayed below this are dropped (on write) and never shown (on read). */
export const MIN_HEAT = 1e-6;

export const itemSchema = z
  .string()
  .min(1, "an item id is 1 to 256 characters")
  .max(MAX_ITEM, `an item id is at most ${MAX_ITEM} characters`);

/** What an admin sends in `PUT /api/trending/{list}`; every field has a default. */
export const listInputSchema = z.strictObject({
  halfLifeSeconds: z
    .number()
    .int()
    .min(1)
    .max(365 * 86_400)
    .default(86_400)
    .describe("A hit's heat halves every this many seconds"),
  cap: z.number().int().min(1).max(100_000).default(1000).describe("At most this many items are kept (the coldest go)"),
  undoSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(3600)
    .describe("How long a hit can be undone by its id (0: hits get no id)"),
});

export type ListInput = z.input<typeof listInputSchema>;
export type ListSettings = z.output<typeof listInputSchema>;

/** A list as stored and returned. `landmark` is the fixed time decay is measured from. */
export interface TrendingList extends ListSettings {
  key: string;
  landmark: number;
  createdAt: number;
  updatedAt: number;
}

export const hitInputSchema = z.strictObject({
  item: itemSchema,
  weight: z
    .number()
    .positive("must be > 0 (undo a hit by its id instead)")
    .max(1e9)
    .default(1)
    .describe("The hit's heat when it happens"),
});
