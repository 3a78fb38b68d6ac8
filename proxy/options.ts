/** One accepted token and the Redis it reaches. */
export interface ProxyToken {
  token: string;
  /** `redis://[:password@]host:port[/db]`; the database number selects the logical database. */
  redisUrl: string;
  /** Refuse commands Redis itself flags as writes (COMMAND INFO), like an Upstash read-only token. */
  readOnly?: boolean;
}

export interface ProxyOptions {
  /** At least one. Several tokens may point at different Redis servers or databases. */
  tokens: ProxyToken[];
  /** 0 or omitted: a free port. */
  port?: number;
  /** Default 127.0.0.1: the proxy has no TLS, so it stays on loopback unless told otherwise. */
  host?: string;
  /** Largest accepted request body; default 10 MiB (Upstash's own request limit). */
  maxBodyBytes?: number;
  /** Commands refused by default that this proxy should run anyway, e.g. ["CONFIG SET", "DEBUG"]. */
  allowCommands?: string[];
  /** Longest a blocking command (BLPOP, XREAD BLOCK, ...) may wait; default 30 s. 0 or more is capped to this. */
  blockingTimeoutMs?: number;
  /** Longest a non-blocking command may take before the request fails with 503; default 15 s. */
  commandTimeoutMs?: number;
  /** How long startProxy waits for Redis before serving anyway (requests get 503 meanwhile); default 3 s. */
  connectWaitMs?: number;
  /**
   * Upstash-strict mode: refuse what Upstash refuses in a script flagged `allow-key-locking` (a key
   * not in KEYS, a database-wide command); see strict.ts. Default false.
   */
  strict?: boolean;
  /** Called with one line per notable event (Redis lost or back). Default: nothing is logged. */
  log?: (line: string) => void;
}

export interface RunningProxy {
  /** `http://host:port`, ready for `new Redis({ url, token })`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ResolvedOptions {
  tokens: ProxyToken[];
  port: number;
  host: string;
  maxBodyBytes: number;
  allowCommands: Set<string>;
  blockingTimeoutMs: number;
  commandTimeoutMs: number;
  connectWaitMs: number;
  strict: boolean;
  log: (line: string) => void;
}

export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (!options.tokens || options.tokens.length === 0) throw new Error("startProxy needs at least one token");
  for (const t of options.tokens) {
    if (!t.token) throw new Error("a proxy token must not be empty");
    if (!/^rediss?:\/\//.test(t.redisUrl)) throw new Error(`not a redis:// URL: ${t.redisUrl}`);
  }
  return {
    tokens: options.tokens,
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    allowCommands: new Set((options.allowCommands ?? []).map((c) => c.trim().toUpperCase().replace(/\s+/g, " "))),
    blockingTimeoutMs: options.blockingTimeoutMs ?? 30_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 15_000,
    connectWaitMs: options.connectWaitMs ?? 3_000,
    strict: options.strict ?? false,
    log: options.log ?? (() => {}),
  };
}
