import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";
import { namespace } from "../keys.ts";
import { LIST_KEY } from "./schema.ts";

/**
 * Every Redis key of the trending primitive. The keys of one list share the hash tag `{<list>}`;
 * only the index of lists is shared. `list` is checked against LIST_KEY (no braces) here too.
 *
 *   {ns}tr:{<list>}          hash: def (settings JSON), landmark (ms), halfLife (s), cap, undo (s), createdAt
 *   {ns}tr:{<list>}:items    sorted set: item -> S = ln Σ wᵢ·2^((tᵢ − landmark)/halfLife)
 *   {ns}tr:{<list>}:meta     hash: item -> "<live hits> <id of the hit that added it>"
 *   {ns}tr:{<list>}:hits     hash: hit id -> "<x> <id of the hit that added the item> <item>"
 *   {ns}tr:{<list>}:undo     sorted set: hit id -> when it can no longer be undone (ms)
 *   {ns}trs                  sorted set (SHARED by every list): list -> created at
 */
export function listKeys(config: Pick<Config, "KEY_PREFIX">, list: string) {
  if (!LIST_KEY.test(list)) {
    throw validationError([{ path: "list", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  }
  const base = `${namespace(config)}tr:{${list}}`;
  return {
    list: base,
    items: `${base}:items`,
    meta: `${base}:meta`,
    hits: `${base}:hits`,
    undo: `${base}:undo`,
  };
}

/** Keys in the order the hit and undo scripts take them. */
export function scriptKeys(config: Pick<Config, "KEY_PREFIX">, list: string): string[] {
  const keys = listKeys(config, list);
  return [keys.list, keys.items, keys.meta, keys.hits, keys.undo];
}

export function listIndexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}trs`;
}
