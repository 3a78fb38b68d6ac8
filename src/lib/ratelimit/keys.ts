import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";
import type { Policy, PolicyName } from "./policies.ts";

/**
 * Rate-limit keys. `@upstash/ratelimit` writes them from a prefix and an identifier; this file is
 * the one place that knows the resulting names:
 *
 *   {ns}rl:{policy}:{<identifier>}:<window index>   sliding and fixed window counters (string)
 *   {ns}rl:{policy}:{<identifier>}                  token bucket (hash: refilledAt, tokens)
 *
 * e.g. `edgekit:rl:create-link:{ip:hmac-Zm9vYmFyYmF6cXV4MTIz}:29468021`. The identifier is a hash
 * tag, so the current and previous window a sliding check reads share one cluster slot.
 * Identifiers are validated, and client addresses keyed-hashed, (identifier.ts) before they get here.
 */
export function limiterPrefix(config: Pick<Config, "KEY_PREFIX">, policy: PolicyName | (string & {})): string {
  return `${namespace(config)}rl:${policy}`;
}

/** The identifier as the library receives it: a hash tag. */
export function taggedIdentifier(identifier: string): string {
  return `{${identifier}}`;
}

/** The key of the in-isolate block cache entry: the library caches blocks under prefix:identifier. */
export function blockCacheKey(
  config: Pick<Config, "KEY_PREFIX">,
  policy: PolicyName | (string & {}),
  identifier: string,
): string {
  return `${limiterPrefix(config, policy)}:${taggedIdentifier(identifier)}`;
}

/**
 * Every key that can hold usage of `identifier` under `policy` at `now`, whatever algorithm the
 * policy had when it was written (RATE_LIMITS may have changed it since): the bare key (token
 * bucket) and the current and previous window counters.
 */
export function usageKeys(
  config: Pick<Config, "KEY_PREFIX">,
  name: PolicyName,
  policy: Pick<Policy, "window">,
  identifier: string,
  now: number,
): string[] {
  const base = blockCacheKey(config, name, identifier);
  const window = Math.floor(now / (policy.window * 1000));
  return [base, `${base}:${window}`, `${base}:${window - 1}`];
}
