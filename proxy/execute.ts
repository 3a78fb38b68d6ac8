import { capBlocking, checkAllowed } from "./commands.ts";
import { scopeToDatabase } from "./database-scope.ts";
import { classify, ProxyError } from "./errors.ts";
import { ScriptRegistry } from "./lua-flags.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Command } from "./parse.ts";
import { ReadOnlyGuard } from "./read-only.ts";
import type { RedisTarget } from "./redis-target.ts";
import type { Stats } from "./stats.ts";

/** One pipeline or transaction item: Redis's raw reply, or its error message. */
export type Item = { ok: true; reply: unknown } | { ok: false; error: string };

/** A command after policy checks and rewrites, with what to do around it. */
interface Prepared {
  args: Command;
  blocking: boolean;
  /** EVAL of the rewritten text, to run if Redis answers NOSCRIPT for a SHA we mapped. */
  fallback?: Command;
  /** Turns Redis's reply into the one the client expects (client SHAs instead of Redis's). */
  after?: (reply: unknown) => unknown;
}

/** Runs commands for the tokens of one Redis URL: policy, Lua flag rewrites, blocking, pipelines. */
export class Executor {
  private readonly scripts: ScriptRegistry;
  private readonly guard: ReadOnlyGuard;

  constructor(
    private readonly target: RedisTarget,
    private readonly options: ResolvedOptions,
    private readonly stats: Stats,
  ) {
    this.guard = new ReadOnlyGuard(target.shared);
    this.scripts = new ScriptRegistry(options.strict);
  }

  /** One command; throws a ProxyError (400 Redis error, 403 refused, 503 unreachable). */
  async one(command: Command, readOnly: boolean): Promise<unknown> {
    const prepared = await this.prepare(command, readOnly, false);
    this.stats.commands++;
    return this.settle(prepared, this.send(prepared));
  }

  /** Not atomic; each item gets its own result or error. Throws only when Redis is unreachable. */
  async pipeline(commands: Command[], readOnly: boolean): Promise<Item[]> {
    const prepared = await Promise.all(
      commands.map((command) => this.prepare(command, readOnly, false).catch((error: unknown) => classify(error))),
    );
    // Sent in one synchronous loop so they reach the shared socket in the client's order.
    const pending = prepared.map((item) => {
      if (item instanceof ProxyError) return Promise.reject(item);
      this.stats.commands++;
      return this.settle(item, this.send(item));
    });
    const settled = await Promise.allSettled(pending);
    return settled.map((outcome) => {
      if (outcome.status === "fulfilled") return { ok: true, reply: outcome.value };
      const error = classify(outcome.reason);
      if (error.status === 503) throw error;
      return { ok: false, error: error.message };
    });
  }

  /**
   * MULTI ... EXEC. ioredis writes the whole transaction to the shared socket in one write, so
   * Redis sees MULTI, the commands and EXEC back to back on that connection: no other request's
   * command can land inside it, and no extra connection is needed.
   */
  async multi(commands: Command[], readOnly: boolean): Promise<Item[]> {
    const prepared: Prepared[] = [];
    for (const command of commands) prepared.push(await this.prepare(command, readOnly, true));
    this.stats.commands += prepared.length;
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await this.target.transaction(prepared.map((item) => item.args));
    } catch (error) {
      throw classify(error);
    }
    if (!replies) throw new ProxyError(400, "EXECABORT the transaction was aborted");
    return replies.map(([error, reply], i) => {
      if (error) return { ok: false, error: error.message };
      const after = prepared[i]?.after;
      return { ok: true, reply: after ? after(reply) : reply };
    });
  }

  private send(prepared: Prepared): Promise<unknown> {
    if (prepared.blocking) return this.target.runBlocking(prepared.args);
    return this.target.send(prepared.args);
  }

  private async settle(prepared: Prepared, reply: Promise<unknown>): Promise<unknown> {
    try {
      const value = await reply;
      return prepared.after ? prepared.after(value) : value;
    } catch (error) {
      if (prepared.fallback && String((error as Error).message).startsWith("NOSCRIPT")) {
        try {
          return await this.target.send(prepared.fallback);
        } catch (retryError) {
          throw classify(retryError);
        }
      }
      throw classify(error);
    }
  }

  private async prepare(command: Command, readOnly: boolean, inTransaction: boolean): Promise<Prepared> {
    checkAllowed(command, this.options.allowCommands);
    let args = command;
    if (readOnly) args = await this.guardCommand(args);
    args = scopeToDatabase(args, this.target.db);
    const name = (args[0] ?? "").toUpperCase();
    switch (name) {
      case "EVAL":
      case "EVAL_RO": {
        const script = args[1];
        if (script === undefined) break;
        const { text } = this.scripts.prepare(script);
        if (text !== script) args = [args[0] as string, text, ...args.slice(2)];
        return { args, blocking: false };
      }
      case "EVALSHA":
      case "EVALSHA_RO": {
        const known = args[1] === undefined ? undefined : this.scripts.lookup(args[1]);
        if (!known) break;
        const evalName = name === "EVALSHA" ? "EVAL" : "EVAL_RO";
        const asEval = [evalName, known.text, ...args.slice(2)];
        // Inside MULTI a NOSCRIPT cannot be retried, so send the text itself.
        if (inTransaction) return { args: asEval, blocking: false };
        return { args: [args[0] as string, known.redisSha, ...args.slice(2)], blocking: false, fallback: asEval };
      }
      case "SCRIPT":
        return this.prepareScript(args);
    }
    if (!inTransaction) {
      const capped = capBlocking(args, this.options.blockingTimeoutMs);
      if (capped) return { args: capped, blocking: true };
    }
    return { args, blocking: false };
  }

  private prepareScript(args: Command): Prepared {
    const sub = (args[1] ?? "").toUpperCase();
    if (sub === "LOAD" && args[2] !== undefined) {
      const { text, clientSha } = this.scripts.prepare(args[2]);
      if (!clientSha) return { args, blocking: false };
      // Redis answers with the SHA of the text it got; the client wants the SHA of its own text.
      return {
        args: [args[0] as string, args[1] as string, text],
        blocking: false,
        after: () => Buffer.from(clientSha),
      };
    }
    if (sub === "EXISTS") {
      const mapped = args.map((arg, i) => (i < 2 ? arg : (this.scripts.lookup(arg)?.redisSha ?? arg)));
      return { args: mapped, blocking: false };
    }
    if (sub === "FLUSH") {
      return {
        args,
        blocking: false,
        after: (reply) => {
          this.scripts.clear();
          return reply;
        },
      };
    }
    return { args, blocking: false };
  }

  private async guardCommand(command: Command): Promise<Command> {
    try {
      return await this.guard.check(command);
    } catch (error) {
      throw classify(error);
    }
  }
}
