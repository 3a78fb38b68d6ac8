import { errors } from "@upstash/redis/cloudflare";

/**
 * The HTTP side of one request's Redis client: what `@upstash/redis`'s `HttpClient` and its
 * auto-pipelining executor did, without their per-request machinery. The library's executor
 * builds a `Pipeline` (some 250 closures) when the client is created and another for every batch,
 * and a `Command` object per command: a fifth of a hot path's Worker CPU in the profile
 * (docs/performance-cpu.md). Here a command is an array, a batch is an array of arrays.
 *
 * It keeps every behaviour the app relied on:
 * - Same-tick batching as the library's auto-pipelining (1.39): commands issued before two
 *   microtasks have passed share one `/pipeline` request, reads and writes in separate batches
 *   (Upstash may serve a read-only pipeline from a replica), and the commands the library never
 *   batched (cursors, whole-collection reads) go alone. So round trips are counted as before.
 * - A failed command in a batch rejects with `UpstashError("Command failed: ...")`, the others
 *   still resolve; an HTTP error rejects the whole batch with the library's message.
 * - Read-your-writes: the `upstash-sync-token` of the last reply goes with the next request.
 * - One retry after 50 ms of a request that failed to connect; each attempt gets its own timeout
 *   (REDIS_TIMEOUT_MS), and `cutOff()` makes every later request of this client fail at once.
 *
 * One transport serves ONE request: its batches hold promises of that request, and Workers
 * forbid settling one request's I/O from another's (docs/performance-cpu.md, "one client per isolate").
 */
export interface RedisTransport {
  /** The `Requester` interface `@upstash/redis`'s `Redis` sends its commands through. */
  readonly readYourWrites: boolean;
  upstashSyncToken: string;
  request<T = unknown>(req: { body?: unknown; path?: string[] }): Promise<{ result?: T; error?: string }>;
  /** Sends one command (batched like any other) and resolves to its reply: the script fast path. */
  command(command: (string | number)[]): Promise<unknown>;
  /** Fails every later request at once (Redis failed this request already). */
  cutOff(): void;
}

export interface TransportOptions {
  url: string;
  token: string;
  timeoutMs: number;
}

/** @upstash/redis 1.39's READ_COMMANDS, by their name on the wire (evalshaRo is "evalsha_ro"). */
const READS = new Set(
  (
    "arcount arget argetrange argrep arinfo arlastitems arlen armget arnext arop arscan get getrange mget strlen " +
    "bitcount bitpos getbit hexists hget hgetall hkeys hlen hmget hrandfield hscan hstrlen httl hvals hexpiretime " +
    "hpexpiretime hpttl lindex llen lpos lrange scard sdiff sinter sintercard sismember smembers smismember " +
    "srandmember sscan sunion zcard zcount zlexcount zmscore zrange zrank zrevrank zscan zscore zunion exists type " +
    "ttl pttl randomkey touch pfcount xinfo xlen xpending xrange xread xrevrange geodist geohash geopos geosearch " +
    "eval_ro evalsha_ro dbsize echo ping time scan keys json.arrindex json.arrlen json.objkeys json.objlen json.resp"
  ).split(" "),
);

/** @upstash/redis 1.39's EXCLUDE_COMMANDS: never auto-pipelined, each its own request. */
const UNBATCHED = new Set(
  "scan keys flushdb flushall dbsize hscan hgetall hkeys lrange sscan smembers xrange xrevrange zscan zrange".split(
    " ",
  ),
);

/** The library's MAX_PIPELINE_SIZE: a batch this long is sent and the next command starts another. */
const MAX_BATCH = 1000;

async function deferExecution() {
  await Promise.resolve();
  await Promise.resolve();
}

interface Pending {
  command: unknown[];
  resolve(reply: { result?: unknown; error?: string }): void;
  reject(error: unknown): void;
}

export function createTransport(options: TransportOptions): RedisTransport {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    authorization: `Bearer ${options.token}`,
    "upstash-sync-token": "",
  };
  let unavailable = false;
  const batches: { read: Pending[] | null; write: Pending[] | null } = { read: null, write: null };

  const signal = () =>
    unavailable
      ? AbortSignal.abort(new DOMException("Redis failed earlier in this request", "TimeoutError"))
      : AbortSignal.timeout(options.timeoutMs);

  /** One HTTP request, as the library's HttpClient sends it (retry, timeout, errors, sync token). */
  const send = async (path: string, body: unknown): Promise<unknown> => {
    headers["upstash-sync-token"] = transport.upstashSyncToken;
    const init = { method: "POST", headers, body: JSON.stringify(body) };
    let res: Response | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const attemptSignal = signal();
      try {
        res = await fetch(path, { ...init, signal: attemptSignal });
        break;
      } catch (error) {
        if (attemptSignal.aborted) throw error;
        failure = error;
        if (attempt === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    if (!res) throw failure ?? new Error("Exhausted all retries");
    const raw = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new errors.UpstashJSONParseError(raw, { cause: error });
    }
    if (!res.ok) {
      throw new errors.UpstashError(`${(parsed as { error?: string }).error}, command was: ${JSON.stringify(body)}`);
    }
    transport.upstashSyncToken = res.headers.get("upstash-sync-token") ?? "";
    return parsed;
  };

  // The library executor's wait before it sends, tick for tick, so that batches group as they did.
  const flush = (batch: Pending[]) =>
    deferExecution()
      .then(() => {
        if (batches.read === batch) batches.read = null;
        if (batches.write === batch) batches.write = null;
        return send(
          `${options.url}/pipeline`,
          batch.map((p) => p.command),
        );
      })
      .then(
        (replies) => {
          batch.forEach((pending, i) => {
            const reply = (replies as { result?: unknown; error?: string }[])[i] ?? {};
            pending.resolve(reply.error ? { error: `Command failed: ${reply.error}` } : { result: reply.result });
          });
        },
        (error: unknown) => {
          for (const pending of batch) pending.reject(error);
        },
      );

  const enqueue = (command: unknown[]) =>
    new Promise<{ result?: unknown; error?: string }>((resolve, reject) => {
      const kind = READS.has(String(command[0]).toLowerCase()) ? "read" : "write";
      let batch = batches[kind];
      if (!batch) {
        batch = batches[kind] = [];
        void flush(batch);
      }
      batch.push({ command, resolve, reject });
      if (batch.length >= MAX_BATCH) batches[kind] = null;
    });

  const transport: RedisTransport = {
    readYourWrites: true,
    upstashSyncToken: "",
    request<T>(req: { body?: unknown; path?: string[] }) {
      const command = req.body as unknown[];
      // An explicit pipeline or transaction (path "pipeline" / "multi-exec"), or a command the
      // library never batched: one request of its own, as the library sends it.
      if (req.path?.length || UNBATCHED.has(String(command[0]).toLowerCase())) {
        const url = [options.url, ...(req.path ?? [])].join("/");
        return send(url, req.body) as Promise<{ result?: T; error?: string }>;
      }
      return enqueue(command) as Promise<{ result?: T; error?: string }>;
    },
    async command(command) {
      const { result, error } = await enqueue(command);
      if (error) throw new errors.UpstashError(error);
      return result;
    },
    cutOff() {
      unavailable = true;
    },
  };
  return transport;
}
