import { Redis, ReplyError } from "ioredis";
import { copierRules, type RuleInput, type TokenUser, tokenRules } from "./acl.ts";

/** One token's user and the rules it gets on its server. */
export interface UserSetup {
  user: TokenUser;
  rules: RuleInput;
}

/**
 * The proxy's own connection to one Redis server, as the user named in the configured URL (it
 * needs the right to run ACL SETUSER, SCRIPT KILL and FUNCTION KILL; no token ever uses it). It
 * creates or updates each token's ACL user when it connects, again after every reconnection (a
 * restarted Redis has forgotten them), and stops scripts for the watchdog, which needs a
 * connection that no client command can be queued in front of.
 */
export class RedisAdmin {
  readonly connection: Redis;
  private setupError: Error | null = null;
  private setupDone: Promise<void> | null = null;

  constructor(
    readonly serverUrl: string,
    private readonly users: UserSetup[],
    log: (line: string) => void,
  ) {
    this.connection = new Redis(serverUrl, {
      lazyConnect: true,
      // INFO (the ready check) is refused while a script runs; SCRIPT KILL must still get through.
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    this.connection.on("error", () => {});
    this.connection.on("ready", () => {
      if (this.users.length === 0) return;
      this.setupDone = this.setUp().catch((error: Error) => {
        this.setupError = error;
        log(error.message);
      });
    });
  }

  /**
   * Connects and sets the users up, waiting at most `waitMs` for Redis. Rejects when Redis is
   * reachable but cannot give each token its own user (no ACLs, or the URL's user may not manage
   * them); resolves anyway when Redis is not up yet (set-up then happens once it is).
   */
  async start(waitMs: number): Promise<void> {
    this.connection.connect().catch(() => {});
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.connection.once("ready", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) return;
    await this.setupDone;
    if (this.setupError) throw this.setupError;
  }

  private async setUp(): Promise<void> {
    for (const { user, rules } of this.users) {
      await this.setUser(user.name, user.password, tokenRules(rules));
      if (!rules.readOnly) await this.setUser(user.copier.name, user.copier.password, copierRules(rules));
    }
  }

  private async setUser(name: string, password: string, rules: string[]): Promise<void> {
    try {
      await this.connection.call("ACL", "SETUSER", name, `>${password}`, ...rules);
    } catch (error) {
      throw new Error(explainSetupFailure(this.serverUrl, error));
    }
  }

  /** Sends SCRIPT KILL or FUNCTION KILL; resolves with Redis's answer, error replies included. */
  async kill(kind: "SCRIPT" | "FUNCTION"): Promise<string> {
    try {
      return String(await this.connection.call(kind, "KILL"));
    } catch (error) {
      return error instanceof ReplyError ? (error as Error).message : `not sent: ${(error as Error).message}`;
    }
  }

  /** Takes this start's passwords off the users again (other proxies' passwords stay). */
  async close(): Promise<void> {
    if (this.connection.status === "ready" && !this.setupError) {
      const removals = this.users.flatMap(({ user, rules }) => [
        this.connection.call("ACL", "SETUSER", user.name, `<${user.password}`),
        ...(rules.readOnly
          ? []
          : [this.connection.call("ACL", "SETUSER", user.copier.name, `<${user.copier.password}`)]),
      ]);
      await Promise.allSettled(removals);
    }
    this.connection.disconnect();
  }
}

function explainSetupFailure(serverUrl: string, error: unknown): string {
  const message = (error as Error).message;
  const where = `redis ${serverUrl.replace(/\/\/[^@/]*@/, "//***@")}`;
  const unsafe = "or start the proxy with --unsafe-shared-redis to let every token share one Redis user";
  if (/unknown command/i.test(message)) {
    return `${where} has no ACLs (Redis 6 or later needed), so tokens cannot be kept apart: use a newer Redis, ${unsafe}`;
  }
  if (/^NOPERM|^NOAUTH|^WRONGPASS/.test(message)) {
    return `the user in the URL of ${where} may not create ACL users (${message}): give the proxy a user allowed ACL SETUSER, SCRIPT KILL and FUNCTION KILL (redis://user:password@host:port), ${unsafe}`;
  }
  return `could not create the tokens' ACL users on ${where}: ${message}; ${unsafe}`;
}
