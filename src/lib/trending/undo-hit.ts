import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { decodeReply } from "./decode.ts";
import { scriptKeys } from "./keys.ts";
import source from "./undo-hit.lua";

type UndoReply = { outcome: "ok"; item: string; heat: string | null } | { outcome: "unknown" };

const undoScript = defineScript(source, (reply) => reply);

/**
 * Undoes one hit by the id its hit returned, once, in one script: exactly the contribution that
 * hit added is taken away (see undo-hit.lua). 404 for an unknown id, one already undone, or one
 * whose undo window has closed.
 */
export async function undoHit(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { list: string; id: string; now: number },
): Promise<{ item: string; heat: number | null }> {
  const raw = await undoScript.run(redis, scriptKeys(config, input.list), [input.id, Math.floor(input.now)]);
  const reply = decodeReply<UndoReply>(raw, input.list);
  if (reply.outcome === "unknown") {
    throw new AppError(
      "not_found",
      `No hit "${input.id}" to undo on "${input.list}" (already undone, or its undo window closed).`,
    );
  }
  return { item: reply.item, heat: reply.heat === null ? null : Number(reply.heat) };
}
