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
