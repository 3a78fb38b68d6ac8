import type { RedisClient } from "../redis.ts";
import type { Definition, Experiment } from "./schema.ts";

/** The fields of the definition hash, in the order `readDefinition` asks for them. */
const FIELDS = ["def", "createdAt", "updatedAt"] as const;

/**
 * Reads one definition hash with one HMGET (the raw reply: an array of strings or nulls). Calls
 * made in the same tick share one auto-pipelined request.
 */
export async function readDefinition(redis: RedisClient, key: string): Promise<Experiment | undefined> {
  const reply = (await redis.hmget(key, ...FIELDS)) as unknown;
  const [def, createdAt, updatedAt] = Array.isArray(reply) ? reply : [];
  return experimentFrom(def, createdAt, updatedAt);
}

/** An experiment from its stored fields, or undefined when the definition is absent. */
export function experimentFrom(def: unknown, createdAt: unknown, updatedAt: unknown): Experiment | undefined {
  if (typeof def !== "string") return undefined;
  const definition = JSON.parse(def) as Definition;
  return { ...definition, createdAt: Number(createdAt ?? 0), updatedAt: Number(updatedAt ?? 0) };
}
