import type { Redis } from "ioredis";
import { READ_ONLY_DENIED } from "./acl.ts";
import { ProxyError } from "./errors.ts";
import type { Command } from "./parse.ts";

/** Flags that mark a command as changing data or the server, per Redis's own COMMAND INFO. */
const WRITE_FLAGS = new Set(["write", "admin", "may-replicate"]);

/** Commands Redis does not flag as writes that a read-only token still may not run (see acl.ts). */
const DENIED = new Set(READ_ONLY_DENIED);

/** Script commands a read-only token may still run, as their read-only twins Redis enforces. */
const READ_ONLY_TWIN: Record<string, string> = { EVAL: "EVAL_RO", EVALSHA: "EVALSHA_RO", FCALL: "FCALL_RO" };

/**
 * Decides from Redis's COMMAND INFO flags (asked once per command, then cached) whether a
 * read-only token may run a command. No hand-written list of writes to fall out of date.
 */
export class ReadOnlyGuard {
  /** "set" -> true (writes); "config|get" -> false; unknown commands -> false (Redis rejects them). */
  private readonly writes = new Map<string, boolean>();

  constructor(private readonly redis: Redis) {}

  /** Returns the command to run for a read-only token, or throws a 403 naming the command. */
  async check(command: Command): Promise<Command> {
    const name = (command[0] ?? "").toLowerCase();
    const twin = READ_ONLY_TWIN[name.toUpperCase()];
    const effective = twin ? [twin, ...command.slice(1)] : command;
    const denied = deniedName((effective[0] ?? "").toLowerCase(), command[1]?.toLowerCase());
    if (denied) throw new ProxyError(403, `NOPERM this token is read-only and may not run '${denied}'`);
    if (await this.isWrite(effective)) {
      throw new ProxyError(403, `NOPERM this token is read-only and '${name}' writes`);
    }
    return effective;
  }

  private async isWrite(command: Command): Promise<boolean> {
    const name = (command[0] ?? "").toLowerCase();
    const sub = command[1]?.toLowerCase();
    const subKey = sub ? `${name}|${sub}` : undefined;
    if (subKey && this.writes.has(subKey)) return this.writes.get(subKey) === true;
    if (!this.writes.has(name)) await this.load(name);
    if (subKey && this.writes.has(subKey)) return this.writes.get(subKey) === true;
    return this.writes.get(name) === true;
  }

  private async load(name: string): Promise<void> {
    const [info] = (await this.redis.call("COMMAND", "INFO", name)) as unknown[];
    this.writes.set(name, Array.isArray(info) && hasWriteFlag(info[2]));
    // Container commands (CONFIG, CLIENT, ...) list their subcommands, each with its own flags.
    const subcommands = Array.isArray(info) ? info[9] : undefined;
    if (Array.isArray(subcommands)) {
      for (const sub of subcommands) {
        if (Array.isArray(sub) && typeof sub[0] === "string")
          this.writes.set(sub[0].toLowerCase(), hasWriteFlag(sub[2]));
      }
    }
  }
}

function deniedName(name: string, sub: string | undefined): string | null {
  if (DENIED.has(name)) return name;
  return sub !== undefined && DENIED.has(`${name}|${sub}`) ? `${name} ${sub}` : null;
}

function hasWriteFlag(flags: unknown): boolean {
  return Array.isArray(flags) && flags.some((flag) => WRITE_FLAGS.has(String(flag)));
}
