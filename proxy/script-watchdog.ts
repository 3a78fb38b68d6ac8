import { type Command, ReplyError } from "ioredis";
import type { RedisAdmin } from "./redis-admin.ts";
import type { RedisTarget } from "./redis-target.ts";

/** A token's connection and how long one of its scripts may run. */
export interface Watched {
  target: RedisTarget;
  scriptTimeoutMs: number;
}

interface Entry extends Watched {
  head: Command | undefined;
  since: number;
}

const KILL: Record<string, ("SCRIPT" | "FUNCTION")[]> = {
  EVAL: ["SCRIPT"],
  EVALSHA: ["SCRIPT"],
  EVAL_RO: ["SCRIPT"],
  EVALSHA_RO: ["SCRIPT"],
  FCALL: ["FUNCTION"],
  FCALL_RO: ["FUNCTION"],
  // A transaction may hold either; ioredis keeps its MULTI first in the queue until EXEC answers.
  MULTI: ["SCRIPT", "FUNCTION"],
};

/**
 * Stops scripts that run past their token's limit, so one token cannot freeze a Redis that
 * others share. A few times per limit it looks at the oldest command each token's connection is
 * waiting on (the one Redis is running, since it runs a connection's commands in order); when the
 * same script has been there longer than the limit, it sends SCRIPT KILL (FUNCTION KILL for
 * FCALL) on the admin connection, and the script's caller gets an error that says so.
 *
 * Redis hears SCRIPT KILL only once a script has run for its `busy-reply-threshold` (5 s by
 * default): a shorter limit takes effect at that threshold. A script that has already written
 * cannot be killed (Redis answers UNKILLABLE); other tokens then get fast 503s until it ends.
 */
export class ScriptWatchdog {
  private readonly entries: Entry[];
  private readonly timer: NodeJS.Timeout;
  private readonly handled = new WeakSet<Command>();
  private killing = false;

  constructor(
    private readonly admin: RedisAdmin,
    watched: Watched[],
    private readonly log: (line: string) => void,
  ) {
    this.entries = watched.map((w) => ({ ...w, head: undefined, since: 0 }));
    const shortest = Math.min(...watched.map((w) => w.scriptTimeoutMs));
    const every = Math.min(250, Math.max(10, Math.floor(shortest / 10)));
    this.timer = setInterval(() => this.tick(Date.now()), every);
    this.timer.unref();
  }

  private tick(now: number): void {
    if (this.killing) return;
    let overdue: Entry | undefined;
    for (const entry of this.entries) {
      const head = entry.target.pendingHead();
      if (head !== entry.head) {
        entry.head = head;
        entry.since = now;
        continue;
      }
      if (!head || this.handled.has(head) || !KILL[head.name.toUpperCase()]) continue;
      if (now - entry.since < entry.scriptTimeoutMs) continue;
      // Only one script runs at a time: the one waited on longest is the likeliest to be it.
      if (!overdue || entry.since < overdue.since) overdue = entry;
    }
    if (overdue) void this.stop(overdue);
  }

  private async stop(entry: Entry): Promise<void> {
    const command = entry.head as Command;
    this.handled.add(command);
    const kinds = KILL[command.name.toUpperCase()] ?? [];
    explainKill(command, entry.scriptTimeoutMs, kinds[0] ?? "SCRIPT");
    this.killing = true;
    try {
      for (const kind of kinds) {
        const answer = await this.admin.kill(kind);
        if (answer.startsWith("NOTBUSY")) continue;
        if (answer.startsWith("UNKILLABLE")) {
          this.log(
            `a script has run past ${entry.scriptTimeoutMs} ms but has written, so Redis cannot kill it: it answers BUSY until the script ends (${answer})`,
          );
        } else if (answer !== "OK") {
          this.log(`${kind} KILL for a script past ${entry.scriptTimeoutMs} ms failed: ${answer}`);
        }
        break;
      }
    } finally {
      this.killing = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Replaces Redis's "Script killed by user" reply to this command with one that says why. */
function explainKill(command: Command, limitMs: number, kind: string): void {
  const holder = command as unknown as { reject: (error: Error) => void };
  const reject = holder.reject;
  holder.reject = (error: Error) =>
    reject(
      /killed by user/i.test(error.message)
        ? new ReplyError(
            `ERR the script ran past this token's time limit of ${limitMs} ms, so the proxy stopped it with ${kind} KILL (see --script-timeout)`,
          )
        : error,
    );
}
