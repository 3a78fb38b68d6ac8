import { Command, Redis, type RedisOptions } from "ioredis";
import { databaseOf } from "./acl.ts";
import { ProxyError, unavailable } from "./errors.ts";

/** A Redis user the connection can switch to and back (see {@link RedisTarget.send}). */
export interface Credentials {
  name: string;
  password: string;
}

/** Per-token caps on connections of its own; past them the request gets a 429. */
export interface TargetLimits {
  maxSubscriptions: number;
  maxBlocking: number;
}

/** When set, COPY runs as the copier user (allowed COPY, no scripts), switched to for it alone. */
export interface CopySwitch {
  user: Credentials;
  copier: Credentials;
}

/**
 * Everything the proxy holds for one token: a shared multiplexed connection for ordinary
 * commands, a small pool of dedicated connections for blocking commands (a BLPOP would
 * otherwise stall every request queued behind it on the shared socket), and its subscriptions.
 */
export class RedisTarget {
  readonly shared: Redis;
  private readonly idleBlocking: Redis[] = [];
  private readonly dedicated = new Set<Redis>();
  private readonly subscriptions = new Set<Redis>();
  private blockingInUse = 0;
  private subscriptionsOpening = 0;
  private closed = false;
  /** The database the token's URL selects, and the only one it may reach. */
  readonly db: number;

  constructor(
    readonly url: string,
    private readonly commandTimeoutMs: number,
    private readonly blockingTimeoutMs: number,
    log: (line: string) => void,
    private readonly limits: TargetLimits = { maxSubscriptions: Infinity, maxBlocking: Infinity },
    private readonly copySwitch?: CopySwitch,
  ) {
    this.db = databaseOf(url);
    this.shared = new Redis(url, {
      ...baseOptions(),
      // Fail at once while Redis is down (503) instead of queueing requests until it is back.
      enableOfflineQueue: false,
      commandTimeout: commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    let wasReady = false;
    this.shared.on("ready", () => {
      if (wasReady) log(`redis ${redact(url)} is back`);
      wasReady = true;
    });
    this.shared.on("end", () => {});
    this.shared.on("error", (error: Error) => {
      if (wasReady && this.shared.status !== "ready") log(`redis ${redact(url)} unreachable: ${error.message}`);
    });
  }

  private corked = false;

  /**
   * Sends one command on the shared connection, replying with Buffers for bulk strings.
   * Commands sent in one turn of the event loop leave in one write: the socket is corked on the
   * first and uncorked in setImmediate, after every HTTP request read in that turn has sent its
   * command. (ioredis's own auto-pipelining drops the command name of
   * callBuffer, so it is not used.)
   *
   * COPY is sent between two AUTHs, to the copier user and back, in the same write: Redis runs
   * one connection's commands in order, so only that COPY (already checked not to name another
   * database) runs with the right to COPY, and no script ever does.
   */
  send(args: string[]): Promise<unknown> {
    if (this.copySwitch && isCopy(args)) return this.asCopier(() => this.sendOne(args));
    return this.sendOne(args);
  }

  /** MULTI ... EXEC written in one piece on the shared connection; replies as ioredis's exec() gives them. */
  transaction(commands: string[][]): Promise<[Error | null, unknown][] | null> {
    const transaction = this.shared.multi();
    for (const args of commands) {
      const [name, ...rest] = args as [string, ...string[]];
      transaction.callBuffer(rawName(name), ...rest);
    }
    const copies = this.copySwitch && commands.some(isCopy);
    return copies ? this.asCopier(() => transaction.exec()) : transaction.exec();
  }

  private asCopier<T>(run: () => Promise<T>): Promise<T> {
    const { user, copier } = this.copySwitch as CopySwitch;
    this.sendOne(["AUTH", copier.name, copier.password]).catch(() => {});
    const result = run();
    // Should switching back fail, drop the connection: it comes back as the token's own user.
    this.sendOne(["AUTH", user.name, user.password]).catch(() => this.shared.disconnect(true));
    return result;
  }

  /** The oldest command still waiting for its reply on the shared connection: the one Redis is on. */
  pendingHead(): Command | undefined {
    const queue = (this.shared as unknown as { commandQueue?: { peekFront(): { command: Command } | undefined } })
      .commandQueue;
    return queue?.peekFront()?.command;
  }

  private sendOne(args: string[]): Promise<unknown> {
    const stream = (this.shared as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
    if (!this.corked && stream && this.shared.status === "ready") {
      this.corked = true;
      stream.cork();
      setImmediate(() => {
        this.corked = false;
        stream.uncork();
      });
    }
    const [name, ...rest] = args as [string, ...string[]];
    const command = new Command(rawName(name), rest, { replyEncoding: null });
    this.shared.sendCommand(command);
    return command.promise;
  }

  /** True once the shared connection can take commands. */
  get ready(): boolean {
    return this.shared.status === "ready";
  }

  /** Resolves when the shared connection is ready or `ms` have passed, whichever is first. */
  waitReady(ms: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.shared.once("ready", done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Runs a blocking command on a connection of its own, returned to the pool afterwards. */
  async runBlocking(args: string[]): Promise<unknown> {
    if (!this.ready) throw unavailable(new Error("shared connection not ready"));
    if (this.blockingInUse >= this.limits.maxBlocking) {
      throw new ProxyError(
        429,
        `ERR this token already has ${this.limits.maxBlocking} blocking commands waiting, its limit; retry when one returns`,
      );
    }
    this.blockingInUse++;
    try {
      const connection = this.idleBlocking.pop() ?? (await this.openDedicated(this.blockingTimeoutMs + 5_000));
      try {
        const [name, ...rest] = args as [string, ...string[]];
        const reply = await connection.callBuffer(rawName(name), ...rest);
        this.release(connection);
        return reply;
      } catch (error) {
        // A reply error leaves the connection usable; anything else may leave it mid-command.
        if ((error as Error).name === "ReplyError") this.release(connection);
        else this.discard(connection);
        throw error;
      }
    } finally {
      this.blockingInUse--;
    }
  }

  /** A connection for one SSE stream, within the token's limit; give it back with {@link discard}. */
  async openSubscription(): Promise<Redis> {
    if (this.subscriptions.size + this.subscriptionsOpening >= this.limits.maxSubscriptions) {
      throw new ProxyError(
        429,
        `ERR this token already has ${this.limits.maxSubscriptions} subscriptions open, its limit; close one first`,
      );
    }
    this.subscriptionsOpening++;
    try {
      const connection = await this.openDedicated();
      this.subscriptions.add(connection);
      return connection;
    } finally {
      this.subscriptionsOpening--;
    }
  }

  /** A fresh connection that nothing else uses (blocking commands, subscriptions). */
  async openDedicated(
    commandTimeoutMs: number | undefined = this.commandTimeoutMs,
    extra: RedisOptions = {},
  ): Promise<Redis> {
    if (this.closed) throw unavailable(new Error("proxy is closing"));
    const connection = new Redis(this.url, {
      ...baseOptions(),
      lazyConnect: true,
      commandTimeout: commandTimeoutMs,
      // One attempt: the caller answers 503 and the client retries; no reconnect loop per request.
      retryStrategy: () => null,
      ...extra,
    });
    connection.on("error", () => {});
    this.dedicated.add(connection);
    connection.once("end", () => this.dedicated.delete(connection));
    try {
      await connection.connect();
    } catch (error) {
      this.discard(connection);
      throw unavailable(error);
    }
    return connection;
  }

  private release(connection: Redis): void {
    if (this.closed || this.idleBlocking.length >= 8 || connection.status !== "ready") this.discard(connection);
    else this.idleBlocking.push(connection);
  }

  discard(connection: Redis): void {
    this.dedicated.delete(connection);
    this.subscriptions.delete(connection);
    connection.disconnect();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.dedicated) connection.disconnect();
    this.dedicated.clear();
    this.idleBlocking.length = 0;
    this.shared.disconnect();
  }
}

/**
 * ioredis reshapes some replies by command name (HGETALL into an object, ...). It looks the
 * name up as given and registers lowercase names, so an uppercase name keeps Redis's own reply.
 */
export function rawName(name: string): string {
  return name.toUpperCase();
}

function isCopy(args: string[]): boolean {
  const name = args[0] ?? "";
  return name.length === 4 && name.toUpperCase() === "COPY";
}

function baseOptions(): RedisOptions {
  return {
    // Reconnect fast and quietly; fail in-flight commands on a broken socket rather than replay them.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    // @upstash/redis expects RESP2 shapes; ioredis speaks RESP2 unless told otherwise.
    // No ready check: it runs INFO, which token users may not (a LOADING reply becomes a 503).
    enableReadyCheck: false,
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
