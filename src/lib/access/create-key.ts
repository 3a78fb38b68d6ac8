import { AppError, validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { type ApiKey, type ApiKeyRecord, checkScopes, KEY_NAME, KEY_NAME_HINT, scopesOf } from "./api-key.ts";
import { actorName, type Principal } from "./principal.ts";
import { holds } from "./scopes.ts";
import { accessKeys } from "./storage.ts";
import { newKeyId, newKeySecret, secretHash } from "./token.ts";
import type { AccessConfig } from "./verify-key.ts";

export interface NewKey {
  name: string;
  scopes: string[];
  /** Milliseconds since the epoch; must lie in the future. */
  expiresAt?: number | null;
}

/** Keys may live at most this long (ten years): a date past it is a typo. */
const MAX_LIFETIME_MS = 10 * 365 * 86_400_000;

/**
 * Creates an API key for `creator`, who must hold every scope asked for (the root holds all):
 * a key can hand out no more than it has. One HSET writes the secret's hash and the record.
 * Returns the secret, which is never stored or shown again.
 *
 * @example
 * const { secret, key } = await createKey(redis, config, { name: "ci", scopes: ["links:write"] }, ROOT, now);
 */
export async function createKey(
  redis: RedisClient,
  config: AccessConfig,
  input: NewKey,
  creator: Principal,
  now: number,
): Promise<{ secret: string; key: ApiKey }> {
  if (!KEY_NAME.test(input.name)) throw validationError([{ path: "name", message: KEY_NAME_HINT }]);
  const scopes = checkScopes(input.scopes);
  const expiresAt = input.expiresAt ?? null;
  if (
    expiresAt !== null &&
    (!Number.isSafeInteger(expiresAt) || expiresAt <= now || expiresAt > now + MAX_LIFETIME_MS)
  ) {
    throw validationError([{ path: "expiresAt", message: "must be a time in the next ten years" }]);
  }
  const held = scopesOf(creator);
  if (held !== "all") {
    const missing = scopes.filter((scope) => !holds(held, scope));
    if (missing.length > 0) {
      throw new AppError(
        "insufficient_scope",
        `A key may only grant scopes its creator holds; you lack ${missing.map((s) => `\`${s}\``).join(", ")}.`,
        {
          extensions: { scopes: missing },
        },
      );
    }
  }
  const secret = newKeySecret();
  const record: ApiKeyRecord = {
    id: newKeyId(),
    name: input.name,
    scopes,
    createdBy: actorName(creator),
    createdAt: now,
    expiresAt,
  };
  await redis.hset(accessKeys(config).keys, {
    [`h:${await secretHash(secret)}`]: record.id,
    [`k:${record.id}`]: JSON.stringify(record),
  });
  return {
    secret,
    key: { ...record, status: "active", lastUsedAt: null, revokedAt: null, revokedBy: null },
  };
}
