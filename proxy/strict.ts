/**
 * Upstash-strict mode: what Upstash refuses in a script whose shebang declares
 * `allow-key-locking`, refused here too, on a stock redis-server.
 *
 * - A key the script touches that is not in KEYS (Upstash locks only KEYS, so it rejects any
 *   other key, and a key built inside the script is a bug that only shows in production).
 * - A command that needs the whole database (FLUSHDB, SCAN, KEYS, ...), which Upstash also rejects
 *   under that flag.
 * - A write from a `no-writes` script, and a script without `no-writes` run with EVAL_RO /
 *   EVALSHA_RO: Redis 7 already refuses both itself (the proxy keeps `no-writes`), so strict mode
 *   adds nothing for them.
 *
 * How: the script's own text gets a one-line prologue (on its second line, in front of what was
 * there, so Lua's line numbers in error messages still match the client's file) that shadows
 * `redis` with a table whose `call` and `pcall` first ask Redis `COMMAND GETKEYS` for the keys of
 * the command about to run and compare them with KEYS. Redis's own key extraction, so every
 * command is covered exactly (numkeys, STORE options, stream IDs...) with no table to keep up to
 * date; it costs one more in-server call per command (a few µs), and only in strict mode.
 * Unflagged scripts run untouched: Upstash gives them the global lock and lets them touch any key.
 */

/**
 * Commands that take no key yet read or change the whole keyspace: the keyless commands in
 * Redis's @keyspace ACL category (`COMMAND` on redis-server 7.0; test/node/proxy/strict.test.ts
 * checks this list against the running server).
 */
export const DATABASE_WIDE = ["dbsize", "flushall", "flushdb", "keys", "randomkey", "scan", "swapdb"];

/** The error Redis returns for a script that breaks the rule, like Redis's own cluster-mode check. */
const REFUSED = "ERR Script attempted to access key";

const PROLOGUE = [
  "local __ek_redis, __ek_keys = redis, {}",
  "for _, k in ipairs(KEYS) do __ek_keys[k] = true end",
  `local __ek_wide = {${DATABASE_WIDE.map((name) => `${name} = true`).join(", ")}}`,
  "local function __ek_check(...)",
  "  local name = string.lower(tostring((...)))",
  `  if __ek_wide[name] then error({ err = "ERR Script attempted a database-wide command ('" .. name .. "') with allow-key-locking: Upstash refuses it (strict mode)" }) end`,
  '  local keys = __ek_redis.pcall("COMMAND", "GETKEYS", ...)',
  // An error means no key arguments (or a malformed call, which then fails with its own error).
  "  if keys.err then return end",
  "  for _, key in ipairs(keys) do",
  `    if not __ek_keys[key] then error({ err = "${REFUSED} '" .. key .. "' which is not in KEYS (allow-key-locking: Upstash locks only KEYS and refuses any other key; strict mode)" }) end`,
  "  end",
  "end",
  "local redis = setmetatable({",
  "  call = function(...) __ek_check(...) return __ek_redis.call(...) end,",
  "  pcall = function(...) __ek_check(...) return __ek_redis.pcall(...) end,",
  "}, { __index = __ek_redis })",
].join(" ");

/** The flags of a script's shebang line, or [] when it has none. */
export function shebangFlags(script: string): string[] {
  if (!script.startsWith("#!")) return [];
  const eol = script.indexOf("\n");
  const line = eol === -1 ? script : script.slice(0, eol);
  const match = /^#!lua(?:[ \t]+flags=(\S*))?[ \t]*\r?$/.exec(line);
  return match?.[1] ? match[1].split(",").filter(Boolean) : [];
}

/**
 * The script with its key checks, when its shebang declares `allow-key-locking`; else unchanged.
 * The shebang itself is left for `stripUnknownFlags` to clean.
 *
 * @example withKeyChecks("#!lua flags=allow-key-locking\nreturn redis.call('GET', 'x')") // refuses 'x'
 */
export function withKeyChecks(script: string): string {
  if (!shebangFlags(script).includes("allow-key-locking")) return script;
  const eol = script.indexOf("\n");
  if (eol === -1) return `${script}\n${PROLOGUE}`;
  return `${script.slice(0, eol + 1)}${PROLOGUE} ${script.slice(eol + 1)}`;
}
