import { ProxyError } from "./errors.ts";
import type { Command } from "./parse.ts";

const TRANSACTION = "cannot span stateless HTTP requests: send the whole transaction as one POST /multi-exec body";

/** Commands that only make sense on a long-lived connection, with what to do instead. */
const CONNECTION_STATE: Record<string, string> = {
  SELECT:
    "SELECT is not supported: each token maps to one database; put the database in the token's Redis URL (redis://host:port/2)",
  MULTI: `MULTI ${TRANSACTION}`,
  EXEC: `EXEC ${TRANSACTION}`,
  DISCARD: `DISCARD ${TRANSACTION}`,
  WATCH: `WATCH ${TRANSACTION}`,
  UNWATCH: `UNWATCH ${TRANSACTION}`,
  SUBSCRIBE: "SUBSCRIBE needs a stream: use GET /subscribe/{channel} (server-sent events)",
  PSUBSCRIBE: "PSUBSCRIBE needs a stream: use GET /psubscribe/{pattern} (server-sent events)",
  SSUBSCRIBE: "SSUBSCRIBE needs a stream: use GET /subscribe/{channel} (server-sent events)",
  UNSUBSCRIBE: "UNSUBSCRIBE is not supported: close the /subscribe stream instead",
  PUNSUBSCRIBE: "PUNSUBSCRIBE is not supported: close the /psubscribe stream instead",
  SUNSUBSCRIBE: "SUNSUBSCRIBE is not supported: close the /subscribe stream instead",
  QUIT: "QUIT is not supported: HTTP requests are stateless, there is no connection to close",
  RESET: "RESET is not supported: HTTP requests are stateless, there is no connection state to reset",
  MONITOR: "MONITOR is not supported over HTTP: run redis-cli monitor against the Redis server",
  HELLO: "HELLO is not supported: the proxy always speaks RESP2, the protocol @upstash/redis expects",
  AUTH: "AUTH is not supported: authenticate with the proxy token; the Redis password belongs in the token's Redis URL",
  SYNC: "SYNC is not supported over HTTP",
  PSYNC: "PSYNC is not supported over HTTP",
  "CLIENT REPLY": "CLIENT REPLY is not supported: every HTTP request gets a reply",
  "CLIENT TRACKING": "CLIENT TRACKING is not supported over HTTP",
  "CLIENT SETNAME": "CLIENT SETNAME is not supported: the proxy shares its connections between requests",
};

/** Refused unless listed in `allowCommands`: they stop, reconfigure or empty the server. */
const DANGEROUS = new Set(["SHUTDOWN", "DEBUG", "MODULE", "REPLICAOF", "SLAVEOF", "MIGRATE", "CONFIG SET"]);

/** Commands that take a subcommand, so "CONFIG SET" can be told from "CONFIG GET". */
const CONTAINERS = new Set(["CONFIG", "CLIENT", "SCRIPT", "FUNCTION", "MODULE", "DEBUG", "OBJECT", "MEMORY", "XINFO"]);

/** "config", "set" -> "CONFIG SET"; plain commands -> "GET". */
export function commandKey(command: Command): string {
  const name = (command[0] ?? "").toUpperCase();
  if (CONTAINERS.has(name) && command.length > 1) return `${name} ${(command[1] ?? "").toUpperCase()}`;
  return name;
}

/** Throws the clear error a connection-state or (unless allowed) dangerous command deserves. */
export function checkAllowed(command: Command, allow: Set<string>): void {
  const upper = (command[0] ?? "").toUpperCase();
  // Fast path for the commands that make up nearly all traffic (GET, SET, EVALSHA, ...).
  if (!(upper in CONNECTION_STATE) && !DANGEROUS.has(upper) && !CONTAINERS.has(upper)) return;
  const key = commandKey(command);
  const name = key.split(" ")[0] ?? key;
  const stateful = CONNECTION_STATE[key] ?? CONNECTION_STATE[name];
  if (stateful) throw new ProxyError(400, `ERR ${stateful}`);
  if ((DANGEROUS.has(key) || DANGEROUS.has(name)) && !allow.has(key) && !allow.has(name)) {
    throw new ProxyError(
      403,
      `ERR ${key} is refused by the proxy by default; start it with --allow "${key}" if you really need it`,
    );
  }
}

/**
 * Where each blocking command keeps its timeout: `last` (seconds), `first` (seconds, after the
 * name), `last-ms` (milliseconds), or the `BLOCK` option (milliseconds).
 */
const BLOCKING: Record<string, "last" | "first" | "last-ms" | "block-option"> = {
  BLPOP: "last",
  BRPOP: "last",
  BRPOPLPUSH: "last",
  BLMOVE: "last",
  BZPOPMIN: "last",
  BZPOPMAX: "last",
  BLMPOP: "first",
  BZMPOP: "first",
  WAIT: "last-ms",
  WAITAOF: "last-ms",
  XREAD: "block-option",
  XREADGROUP: "block-option",
};

/**
 * When the command blocks, returns a copy whose timeout is capped at `capMs` (0, "forever", is
 * capped too), so a request never waits longer than the cap. Returns null for other commands.
 */
export function capBlocking(command: Command, capMs: number): Command | null {
  const kind = BLOCKING[(command[0] ?? "").toUpperCase()];
  if (!kind) return null;
  const capped = command.slice();
  const capSeconds = capMs / 1000;
  const clamp = (index: number, unitMs: number) => {
    const value = Number(capped[index]);
    if (!Number.isFinite(value) || value < 0) return; // Redis reports the bad timeout itself.
    if (value === 0 || value * unitMs > capMs) capped[index] = String(unitMs === 1 ? capMs : capSeconds);
  };
  if (kind === "last") clamp(capped.length - 1, 1000);
  else if (kind === "first") clamp(1, 1000);
  else if (kind === "last-ms") clamp(capped.length - 1, 1);
  else {
    const at = capped.findIndex((arg, i) => i > 0 && arg.toUpperCase() === "BLOCK");
    if (at === -1) return null; // XREAD without BLOCK does not block.
    clamp(at + 1, 1);
  }
  return capped;
}
