import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { decodeReply } from "./decode.ts";
import source from "./hit.lua";
import { scriptKeys } from "./keys.ts";
import { MIN_HEAT } from "./schema.ts";

export interface Hit {
  item: string;
  /** The item's heat right after the hit. */
  heat: number;
  /** Its rank (1 = hottest); null when the hit was too light to stay (below the cap). */
  rank: number | null;
  /** The id that undoes this hit, or null when the list keeps no undo window. */
  id: string | null;
}

type HitReply = { outcome: "ok"; heat: string; rank: number | null; id: string | null };

// limitedScript: the trending-hit rate-limit check runs inside the same script.
const hitScript = limitedScript(source, (reply) => reply);

/**
 * Records a hit in ONE round trip: forward decay kept in log space, then pruning (items gone
 * cold, the coldest beyond the cap, closed undo windows).
 *
 * @example
 * const { heat, id } = await recordHit(redis, config, { list: "articles", item: "a-42", weight: 1, now });
 */
export async function recordHit(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { list: string; item: string; weight: number; now: number; limit?: ScriptLimit },
): Promise<Hit> {
  const id = hitId();
  const raw = await hitScript.run(
    redis,
    scriptKeys(config, input.list),
    [input.item, input.weight, Math.floor(input.now), id, MIN_HEAT],
    input.limit,
  );
  const reply = decodeReply<HitReply>(raw, input.list);
  return { item: input.item, heat: Number(reply.heat), rank: reply.rank ?? null, id: reply.id ?? null };
}

/** 128 random bits, base64url: the id is the capability to undo the hit. */
function hitId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}
