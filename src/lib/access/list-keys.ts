import type { RedisClient } from "../redis.ts";
import { type ApiKey, decodeRecord, decodeRevocation, describeKey } from "./api-key.ts";
import { accessKeys, hashFields } from "./storage.ts";
import type { AccessConfig } from "./verify-key.ts";

/**
 * Every key, newest first, as `describeKey` shows it: the hash fields (`h:`) are skipped, so
 * neither secret nor hash leaves Redis. One HGETALL: an admin route, and keys number in hundreds.
 */
export async function listKeys(redis: RedisClient, config: AccessConfig, now: number): Promise<ApiKey[]> {
  const fields = hashFields(await redis.hgetall(accessKeys(config).keys));
  const keys: ApiKey[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith("k:")) continue;
    const id = field.slice(2);
    const used = fields[`u:${id}`];
    keys.push(describeKey(decodeRecord(value), decodeRevocation(fields[`r:${id}`]), used ? Number(used) : null, now));
  }
  return keys.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}
