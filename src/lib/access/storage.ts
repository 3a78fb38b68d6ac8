import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/**
 * The Redis keys of access control. Two hashes, each read whole only by admin listings:
 *
 *   {ns}access:keys    h:<sha256 hex of secret> -> key id
 *                      k:<id>                   -> the key's record (JSON, see ApiKey)
 *                      r:<id>                   -> its revocation, JSON {at, by}
 *                      u:<id>                   -> last used (ms), written at most once a minute
 *   {ns}access:users   <name>                   -> the user's record (JSON, see DashboardUser)
 *
 * Fields are built from a hash or a validated id or name, never raw input. Revoked keys are kept
 * (tombstones), so a revoked key is refused as revoked, not as unknown.
 */
export function accessKeys(config: Pick<Config, "KEY_PREFIX">) {
  const base = `${namespace(config)}access:`;
  return { keys: `${base}keys`, users: `${base}users` };
}

/**
 * A hash reply as an object: the client hands HGETALL over as `[field, value, ...]` when it does
 * not deserialize (our setting), and as an object otherwise.
 */
export function hashFields(reply: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  } else if (reply && typeof reply === "object") {
    for (const [field, value] of Object.entries(reply)) fields[field] = String(value);
  }
  return fields;
}
