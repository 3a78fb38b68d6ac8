import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/**
 * Every Redis key of the idempotency primitive is built here and nowhere else. The client's key
 * never reaches Redis as it is: the record is named by a SHA-256 of the caller's scope and the
 * key, so one caller's key can never name another caller's record, and any character the header
 * allows is safe. Both keys of a record share the hash tag `{id}`:
 *
 *   {ns}idem:{<32 hex>}           hash    the record: state, fingerprint, owner, attempt, lease,
 *                                         and once done the stored status, headers and body
 *   {ns}idem:{<32 hex>}:expired   string  the tombstone "<fingerprint>:<deadline ms>", left for
 *                                         late retries once the record's retention has ended
 */
export async function idempotencyKeys(config: Pick<Config, "KEY_PREFIX">, scope: string, key: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${scope}\u0000${key}`));
  const id = Array.from(new Uint8Array(digest, 0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("");
  const record = `${namespace(config)}idem:{${id}}`;
  return { record, tombstone: `${record}:expired` };
}

export type IdempotencyKeys = Awaited<ReturnType<typeof idempotencyKeys>>;
