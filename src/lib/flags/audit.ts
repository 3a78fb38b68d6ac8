import { validationError } from "../errors.ts";

/**
 * What every write records: who, when, the flag before and after. Entries are built by the write
 * scripts as `{at, actor, version, before, after}` and kept newest first, capped.
 */

/** How many audit entries each flag keeps. */
export const HISTORY_LIMIT = 100;

/** Who made a change when a caller names nobody; routes pass the authenticated actor (`actorOf(c)`). */
export const DEFAULT_ACTOR = "admin";
const ACTOR = /^[A-Za-z0-9 ._@+:-]{1,64}$/;
export const ACTOR_HINT = "use 1 to 64 of A-Z a-z 0-9 space . _ @ + : -";

/** Throws a 422 for an actor name that could not be shown safely in an audit trail. */
export function checkActor(actor: string): void {
  if (!ACTOR.test(actor)) throw validationError([{ path: "actor", message: ACTOR_HINT }]);
}

/** The reply of put-flag.lua and delete-flag.lua: `{changed (1|0), version}`, two integers. */
export interface WriteReply {
  /** put: the flag is new; delete: the flag existed. */
  changed: boolean;
  version: number;
}

export function decodeWriteReply(reply: unknown): WriteReply {
  if (!Array.isArray(reply) || reply.length !== 2 || !reply.every((n) => typeof n === "number")) {
    throw new Error(`a flags write script replied ${JSON.stringify(reply)}`);
  }
  return { changed: reply[0] === 1, version: reply[1] as number };
}
