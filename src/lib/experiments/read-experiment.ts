import type { Definition, Experiment } from "./schema.ts";

/** An experiment from its definition hash (as `hashOf` returns it), or undefined when absent. */
export function experimentFromHash(hash: Record<string, string>): Experiment | undefined {
  if (hash.def === undefined) return undefined;
  const definition = JSON.parse(hash.def) as Definition;
  return { ...definition, createdAt: Number(hash.createdAt ?? 0), updatedAt: Number(hash.updatedAt ?? 0) };
}
