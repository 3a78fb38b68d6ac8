/** One accepted token and the Redis it reaches. */
export interface ProxyToken {
  token: string;
  /** `redis://[:password@]host:port[/db]`; the database number selects the logical database. */
  redisUrl: string;
  /** Refuse commands Redis itself flags as writes (COMMAND INFO), like an Upstash read-only token. */
  readOnly?: boolean;
  /** This token's own limits; each defaults to the proxy-wide option of the same name. */
  scriptTimeoutMs?: number;
  maxSubscriptions?: number;
  maxBlocking?: number;
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
  /** Longest a script (EVAL, FCALL, ...) of one token may run before the proxy kills it; default 5 s. */
  scriptTimeoutMs?: number;
  /** Most SSE subscriptions one token may hold open at once; default 100. More get a 429. */
  maxSubscriptions?: number;
  /** Most blocking commands (BLPOP, XREAD BLOCK, ...) one token may have waiting at once; default 20. */
  maxBlocking?: number;
  /**
   * Skip the per-token Redis ACL users: every token then connects as the URL's user, and a
   * token's database and read-only status hold only for commands the proxy sees, not inside
   * scripts. Only for a Redis without ACLs that nothing else shares. Default false.
   */
  unsafeSharedRedis?: boolean;
  /** Called with one line per notable event (Redis lost or back). Default: nothing is logged. */
  log?: (line: string) => void;
}

export interface RunningProxy {
  /** `http://host:port`, ready for `new Redis({ url, token })`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A token with every limit filled in. */
export type ResolvedToken = ProxyToken &
  Required<Pick<ProxyToken, "scriptTimeoutMs" | "maxSubscriptions" | "maxBlocking">>;

export interface ResolvedOptions {
  tokens: ResolvedToken[];
  port: number;
  host: string;
  maxBodyBytes: number;
  allowCommands: Set<string>;
  blockingTimeoutMs: number;
  commandTimeoutMs: number;
  connectWaitMs: number;
  strict: boolean;
  unsafeSharedRedis: boolean;
  log: (line: string) => void;
}

export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (!options.tokens || options.tokens.length === 0) throw new Error("startProxy needs at least one token");
  for (const t of options.tokens) {
    if (!t.token) throw new Error("a proxy token must not be empty");
    if (!/^rediss?:\/\//.test(t.redisUrl)) throw new Error(`not a redis:// URL: ${t.redisUrl}`);
  }
  const limits = {
    scriptTimeoutMs: options.scriptTimeoutMs ?? 5_000,
    maxSubscriptions: options.maxSubscriptions ?? 100,
    maxBlocking: options.maxBlocking ?? 20,
  };
  return {
    tokens: options.tokens.map((token) => ({ ...limits, ...definedOnly(token) })),
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    allowCommands: new Set((options.allowCommands ?? []).map((c) => c.trim().toUpperCase().replace(/\s+/g, " "))),
    blockingTimeoutMs: options.blockingTimeoutMs ?? 30_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 15_000,
    connectWaitMs: options.connectWaitMs ?? 3_000,
    strict: options.strict ?? false,
    unsafeSharedRedis: options.unsafeSharedRedis === true,
    log: options.log ?? (() => {}),
  };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
