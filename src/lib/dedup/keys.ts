import type { Config } from "../../env.ts";
import { namespace as globalNamespace } from "../keys.ts";

/** Namespaces: safe inside a hash tag. Ids: printable ASCII without spaces. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const ID_PATTERN = /^[\x21-\x7e]{1,256}$/;

/**
 * Every Redis key of the dedup primitive is built here and nowhere else. Namespaces and ids reach
 * this file only after validation. All keys of a namespace share the hash tag `{namespace}`, so a
 * batch of ids is one script on one slot:
 *
 *   {ns}dedup:{orders}:id:evt_123             string  "1" seen, or "c:<deadline ms>:<token>" claimed
 *   {ns}dedup:{orders}:bf:<m>:<k>:<gen>       bitmap  a Bloom filter generation of m bits, k hashes,
 *                                                     for the window floor(now / ttl) = gen
 */
export function dedupKeys(config: Pick<Config, "KEY_PREFIX">, namespace: string) {
  const base = `${globalNamespace(config)}dedup:{${namespace}}`;
  return {
    id: (id: string) => `${base}:id:${id}`,
    bloom: (bits: number, hashes: number, generation: number) => `${base}:bf:${bits}:${hashes}:${generation}`,
  };
}
