import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";
import { namespace } from "../keys.ts";
import { EXPERIMENT_KEY } from "./schema.ts";

/**
 * Every Redis key of the experiments primitive. The keys of one experiment share the hash tag
 * `{<key>}`, so its scripts land in one cluster slot; only the index is shared by all experiments.
 * `experiment` is checked against EXPERIMENT_KEY (no braces) here too, so no caller can build a
 * key from unvalidated input.
 *
 *   {ns}exp:{<key>}             hash: def (the definition's JSON), createdAt, updatedAt (ms)
 *   {ns}exp:{<key>}:assign      hash: unit id -> variant name (the sticky assignments)
 *   {ns}exp:{<key>}:units       hash: variant name -> units exposed (first assignments)
 *   {ns}exp:{<key>}:conv        hash: "<goal>:<variant>" -> conversions,
 *                                     "<goal>:<variant>:value" -> sum of conversion values
 *   {ns}exp:{<key>}:converted   set: "<goal>:<unit id>", so a unit converts once per goal
 *   {ns}exp:{<key>}:daily       hash: "units:<YYYY-MM-DD>" -> first exposures that UTC day,
 *                                     "conv:<goal>:<YYYY-MM-DD>" -> conversions that day
 *   {ns}exps                    sorted set (SHARED by every experiment): key -> created at (ms)
 *
 * Goal and variant names cannot hold ":", so the compound fields and members read back one way.
 * One set for once-per-goal (rather than one per goal) keeps an experiment's key list fixed, so
 * deleting it is one script whose KEYS the caller knows without reading the definition first.
 */
export function experimentKeys(config: Pick<Config, "KEY_PREFIX">, experiment: string) {
  if (!EXPERIMENT_KEY.test(experiment)) {
    throw validationError([{ path: "key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  }
  const base = `${namespace(config)}exp:{${experiment}}`;
  return {
    definition: base,
    assignments: `${base}:assign`,
    units: `${base}:units`,
    conversions: `${base}:conv`,
    converted: `${base}:converted`,
    daily: `${base}:daily`,
  };
}

/** The shared index of experiment keys. */
export function indexKey(config: Pick<Config, "KEY_PREFIX">): string {
  return `${namespace(config)}exps`;
}
