import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/**
 * Every Redis key of the flags primitive. They share the hash tag `{flags}`: a write touches the
 * shared hash, the version counter and one history list in one script, so on a cluster they must
 * all live in one slot. `flag` has been validated against FLAG_KEY before it gets here.
 *
 *   {ns}{flags}                  hash: flag key -> the flag's JSON (one HGETALL reads them all)
 *   {ns}{flags}:version          counter, bumped by every write
 *   {ns}{flags}:history:<flag>   list of audit entries, newest first, capped
 */
export function flagKeys(config: Pick<Config, "KEY_PREFIX">, flag = "") {
  const base = `${namespace(config)}{flags}`;
  return {
    flags: base,
    version: `${base}:version`,
    history: `${base}:history:${flag}`,
  };
}
