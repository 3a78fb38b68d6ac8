import { ProxyError } from "./errors.ts";
import type { Command } from "./parse.ts";

/**
 * Keeps a command inside the token's database, as on Upstash where a database is the whole
 * keyspace: FLUSHALL empties this database only (sent as FLUSHDB), COPY may not name another
 * database, MOVE and SWAPDB are refused. Redis's ACLs refuse the same inside scripts.
 *
 * @example scopeToDatabase(["FLUSHALL", "ASYNC"], 3) // ["FLUSHDB", "ASYNC"]
 */
export function scopeToDatabase(command: Command, db: number): Command {
  const raw = command[0] ?? "";
  // Only 4-, 6- and 8-letter names can match: skip the rest without upper-casing them.
  if (raw.length !== 4 && raw.length !== 6 && raw.length !== 8) return command;
  const name = raw.toUpperCase();
  if (name === "FLUSHALL") return ["FLUSHDB", ...command.slice(1)];
  if (name === "MOVE" || name === "SWAPDB") throw otherDatabase(name, db);
  if (name === "COPY") {
    for (let i = 3; i < command.length - 1; i++) {
      if ((command[i] ?? "").toUpperCase() === "DB" && command[i + 1] !== String(db))
        throw otherDatabase("COPY ... DB", db);
    }
  }
  return command;
}

function otherDatabase(what: string, db: number): ProxyError {
  return new ProxyError(
    403,
    `ERR ${what} is refused: this token reaches database ${db} only (give each database its own token)`,
  );
}
