import { Command, Redis, type RedisOptions } from "ioredis";
import { unavailable } from "./errors.ts";

/**
 * Everything the proxy holds for one Redis URL: a shared multiplexed connection for ordinary
 * commands, and a small pool of dedicated connections for blocking commands (a BLPOP would
 * otherwise stall every request queued behind it on the shared socket).
 */
export class RedisTarget {
  readonly shared: Redis;
  private readonly idleBlocking: Redis[] = [];
  private readonly dedicated = new Set<Redis>();
  private closed = false;

  constructor(
    readonly url: string,
    private readonly commandTimeoutMs: number,
    private readonly blockingTimeoutMs: number,
    log: (line: string) => void,
  ) {
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
   */
  send(args: string[]): Promise<unknown> {
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

function baseOptions(): RedisOptions {
  return {
    // Reconnect fast and quietly; fail in-flight commands on a broken socket rather than replay them.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    // @upstash/redis expects RESP2 shapes; ioredis speaks RESP2 unless told otherwise.
    enableReadyCheck: true,
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
