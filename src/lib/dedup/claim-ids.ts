import type { Config } from "../../env.ts";
import { leaseToken } from "../locks/lease.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./claim.lua";
import { byResult, perId } from "./decode.ts";
import { dedupKeys } from "./keys.ts";
import settleSource from "./settle.lua";

const claimScript = defineScript(source, (reply) => reply);
const settleScript = defineScript(settleSource, (reply) => reply);

/**
 * First phase of two-phase dedup (one round trip): claims the ids nobody has seen or claimed, for
 * `leaseMs`. Process the claimed (`new`) ones, then `settleIds(..., "ack")` them; a consumer that
 * crashes never acks, its claims lapse, and a redelivery claims them again. Never marked seen
 * without being processed.
 */
export async function claimIds(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { namespace: string; ids: string[]; leaseMs: number; now: number },
): Promise<{ token: string; new: string[]; seen: string[]; inFlight: string[] }> {
  const keys = dedupKeys(config, input.namespace);
  const token = leaseToken();
  const reply = await claimScript.run(redis, input.ids.map(keys.id), [token, input.now, input.leaseMs]);
  return { token, ...byResult(input.ids, perId(reply, input.ids.length), ["seen", "new", "inFlight"] as const) };
}

/**
 * Second phase (one round trip): `ack` marks claimed ids seen for `ttlMs`; `release` frees them
 * for a retry. Only the claim's token settles it: ids it no longer holds come back as `lost`.
 */
export async function settleIds(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { namespace: string; ids: string[]; token: string; action: "ack" | "release"; ttlMs?: number },
): Promise<{ settled: string[]; lost: string[] }> {
  const keys = dedupKeys(config, input.namespace);
  const reply = await settleScript.run(redis, input.ids.map(keys.id), [input.token, input.action, input.ttlMs ?? 0]);
  return byResult(input.ids, perId(reply, input.ids.length), ["lost", "settled"] as const);
}
