import { AppError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { type ApiKey, decodeRecord, decodeRevocation, describeKey, scopesOf } from "./api-key.ts";
import { actorName, type Principal } from "./principal.ts";
import source from "./revoke.lua";
import { holds } from "./scopes.ts";
import { accessKeys } from "./storage.ts";
import { KEY_ID } from "./token.ts";
import { type AccessConfig, forgetKey } from "./verify-key.ts";

const revoke = defineScript(source, (reply) => (Array.isArray(reply) && reply.length === 3 ? reply : undefined));

/**
 * Revokes a key at once in this isolate and within API_KEYS_CACHE_SECONDS everywhere else. The
 * record stays (a revoked key is refused as revoked). `by` must hold every scope the key has: a
 * narrow key cannot revoke a wider one. Revoking twice keeps the first revocation.
 */
export async function revokeKey(
  redis: RedisClient,
  config: AccessConfig,
  id: string,
  by: Principal,
  now: number,
): Promise<ApiKey> {
  if (!KEY_ID.test(id)) throw new AppError("not_found", `No API key "${id}".`);
  const held = scopesOf(by);
  const keysHash = accessKeys(config).keys;
  if (held !== "all") {
    const record = await redis.hget<string>(keysHash, `k:${id}`);
    if (!record) throw new AppError("not_found", `No API key "${id}".`);
    const missing = decodeRecord(record).scopes.filter((scope) => !holds(held, scope));
    if (missing.length > 0) {
      throw new AppError(
        "insufficient_scope",
        `Only a holder of every scope of a key may revoke it; you lack ${missing.map((s) => `\`${s}\``).join(", ")}.`,
        {
          extensions: { scopes: missing },
        },
      );
    }
  }
  const reply = await revoke.run(redis, [keysHash], [id, JSON.stringify({ at: now, by: actorName(by) })]);
  if (!reply) throw new AppError("not_found", `No API key "${id}".`);
  forgetKey(id);
  const used = reply[2] ? Number(reply[2]) : null;
  return describeKey(decodeRecord(reply[0]), decodeRevocation(reply[1]), used, now);
}
