import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";
import type { LeaseKeys } from "./lease.ts";

/** Lock and semaphore names, and fenced resource names: safe inside a hash tag and a key. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Every Redis key of the locks primitive is built here and nowhere else. Names reach this file
 * only after validation (NAME_PATTERN). The keys of one lock share the hash tag `{name}`:
 *
 *   {ns}lock:{orders}          zset    holders: token -> lease deadline (ms since the epoch)
 *   {ns}lock:{orders}:owners   hash    token -> "<fence>:<owner>"
 *   {ns}lock:{orders}:fence    string  the fence counter; no TTL, never reset by a release
 *   {ns}fenced:{stock}         hash    a fenced resource: `fence` (highest seen) and `value`
 */
export function lockKeys(config: Pick<Config, "KEY_PREFIX">, name: string): LeaseKeys {
  const base = `${namespace(config)}lock:{${name}}`;
  return { holders: base, owners: `${base}:owners`, fence: `${base}:fence` };
}

export function fencedKey(config: Pick<Config, "KEY_PREFIX">, resource: string): string {
  return `${namespace(config)}fenced:{${resource}}`;
}
