import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../env.ts";
import { AppError } from "./errors.ts";
import { createTransport, type RedisTransport } from "./redis-transport.ts";

/** The client every lib module receives. Lib code never constructs one itself. */
export type RedisClient = Redis;

/**
 * Builds the `@upstash/redis` client for one request.
 *
 * - Auto-pipelining: commands issued in the same tick share one `/pipeline` HTTP request, so
 *   independent reads in one handler cost one round trip (`createTransport`, which batches as the
 *   library's own auto-pipelining did, without its per-request `Pipeline` objects).
 * - One quick retry of a refused connection, and a timeout (REDIS_TIMEOUT_MS) after which the
 *   command throws without retrying: the library's default (5 retries with exponential backoff,
 *   ~4.3 s) would keep a user waiting long after Redis is gone. `cutOffRedis` makes the rest of a
 *   request fail fast once Redis has failed it.
 * - No automatic deserialization: replies arrive exactly as Redis sent them (the default turns the
 *   string "42" into the number 42), and each lib module decodes them on purpose.
 * - Replies as plain JSON strings, not base64 (the library's default): decoding base64 costs an
 *   `atob` and a `TextDecoder` per string on every reply, a measurable share of a hot path's CPU.
 *   The proxy decodes the bytes as UTF-8 either way (`TextDecoder` here, `toString("utf8")` there),
 *   so every lib module sees the same strings; all our values are text.
 * - Built on first use: the library's client object (a closure per command, ~250) is only made
 *   when lib code calls a command on it. A hot path that runs one script (`defineScript`) sends
 *   it through the transport and never builds it (docs/performance-cpu.md).
 */
export function createRedis(config: Config): RedisClient {
  return createRedisClient({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    timeoutMs: config.REDIS_TIMEOUT_MS,
  });
}

/** Where a client sends its commands, and how long it waits for Redis. */
export interface RedisClientOptions {
  url: string;
  token: string;
  /** Per attempt, then the command throws (default 1000 ms). */
  timeoutMs?: number;
}

/**
 * The same client from an address, a token and a timeout alone: what `edgekit/hono` users build,
 * once per request, from their own bindings. Lib functions need these settings (replies exactly
 * as Redis sent them, a short timeout); a client made with `@upstash/redis`'s defaults decodes
 * replies the lib functions then misread.
 *
 * @example
 * const redis = createRedisClient({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  const state: ClientState = { options };
  const client = new Proxy(state, lazyClient) as unknown as RedisClient;
  states.set(client, state);
  return client;
}

/** What one request's client holds, each part made on first use. */
interface ClientState {
  options: RedisClientOptions;
  transport?: RedisTransport;
  client?: Redis;
  /** The client's methods bound to it, so prototype methods (scan, createScript...) see it as `this`. */
  bound?: Map<PropertyKey, unknown>;
}

const states = new WeakMap<RedisClient, ClientState>();

function transportOf(state: ClientState): RedisTransport {
  state.transport ??= createTransport({ ...state.options, timeoutMs: state.options.timeoutMs ?? 1000 });
  return state.transport;
}

function clientOf(state: ClientState): Redis {
  if (!state.client) {
    const redis = new Redis({
      url: state.options.url,
      token: state.options.token,
      enableAutoPipelining: false,
      automaticDeserialization: false,
      responseEncoding: false,
      enableTelemetry: false,
    });
    // Every command and pipeline reads `this.client` when it runs: they all go through the transport.
    (redis as unknown as { client: RedisTransport }).client = transportOf(state);
    state.client = redis;
  }
  return state.client;
}

/** One handler for every request's client (a Proxy over its `ClientState`). */
const lazyClient: ProxyHandler<ClientState> = {
  get(state, property) {
    const client = clientOf(state);
    const value = Reflect.get(client, property, client);
    if (typeof value !== "function") return value;
    state.bound ??= new Map();
    let fn = state.bound.get(property);
    if (fn === undefined) {
      fn = value.bind(client);
      state.bound.set(property, fn);
    }
    return fn;
  },
  has(state, property) {
    return property in clientOf(state);
  },
};

/**
 * Makes this request's client fail at once (a 503) from now on. For a caller that has just seen
 * Redis fail or time out: without it, the route's own command would wait REDIS_TIMEOUT_MS a
 * second time, and a request would take twice the timeout to answer its 503.
 *
 * @example
 * if (outcome.status === "fail-open") cutOffRedis(c.get("redis")); // the route 503s at once
 */
export function cutOffRedis(redis: RedisClient): void {
  const state = states.get(redis);
  if (state) transportOf(state).cutOff();
}

/** Arguments a Lua script takes: Redis receives them all as strings. */
export type ScriptArg = string | number;

/** A Lua script bound to a decoder: `run` is the only way lib code executes Lua. */
export interface LuaScript<T> {
  run(redis: RedisClient, keys: string[], args: ScriptArg[]): Promise<T>;
}

/**
 * Wraps a `.lua` file (imported as text) into a typed callable. It sends EVALSHA with the script's
 * SHA-1 (computed with WebCrypto once per isolate, never pinned by hand) and falls back to EVAL
 * when Redis answers NOSCRIPT, so a flushed script cache costs one extra round trip once.
 * A script whose shebang declares `no-writes` goes as EVALSHA_RO / EVAL_RO instead, which Upstash
 * may serve from a read replica; callers do not change.
 * (The client's own `createScript(source).exec()` does the same but hashes the text again on
 * every call: a measurable share of a hot path's CPU, see docs/performance.md.)
 *
 * @example
 * import source from "./redirect.lua";
 * const redirect = defineScript(source, (reply) => decodeRedirect(reply));
 * const result = await redirect.run(redis, [key], [now]);
 */
export function defineScript<T>(source: string, decode: (reply: unknown) => T): LuaScript<T> {
  let sha: Promise<string> | undefined;
  const readOnly = scriptFlags(source).includes("no-writes");
  return {
    async run(redis, keys, args) {
      sha ??= sha1Hex(source);
      const argv = args.map(String);
      const hash = await sha;
      // The app's own client: the command goes straight to its transport (same batching, no
      // client object built). Any other client (a test's, a library user's) through its methods.
      const state = states.get(redis);
      const transport = state && transportOf(state);
      const send = (command: ScriptCommand, script: string) =>
        transport
          ? transport.command([command, script, keys.length, ...keys, ...argv])
          : viaClient[command](redis, script, keys, argv);
      const reply = await send(readOnly ? "evalsha_ro" : "evalsha", hash).catch((error: unknown) => {
        if (error instanceof Error && /noscript/i.test(error.message)) {
          return send(readOnly ? "eval_ro" : "eval", source);
        }
        throw error;
      });
      return decode(reply);
    },
  };
}

type ScriptCommand = "evalsha" | "evalsha_ro" | "eval" | "eval_ro";

/** The script commands through a client's own methods, for a client `createRedis` did not make. */
const viaClient: Record<
  ScriptCommand,
  (redis: RedisClient, script: string, keys: string[], argv: string[]) => Promise<unknown>
> = {
  evalsha: (redis, sha, keys, argv) => redis.evalsha(sha, keys, argv),
  evalsha_ro: (redis, sha, keys, argv) => redis.evalshaRo(sha, keys, argv),
  eval: (redis, source, keys, argv) => redis.eval(source, keys, argv),
  eval_ro: (redis, source, keys, argv) => redis.evalRo(source, keys, argv),
};

/**
 * The flags a script's first line declares (`#!lua flags=no-writes,allow-key-locking`), or [].
 *
 * @example scriptFlags("#!lua flags=no-writes,allow-key-locking\nreturn 1") // ["no-writes", "allow-key-locking"]
 */
export function scriptFlags(source: string): string[] {
  const match = /^#!lua(?:[ \t]+flags=(\S*))?[ \t]*\r?(?:\n|$)/.exec(source);
  return match?.[1] ? match[1].split(",").filter(Boolean) : [];
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Error messages that mean "Redis (or the way to it) is not there", not "the command was wrong". */
const UNAVAILABLE =
  /unavailable|unreachable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|connection|network|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|timed? ?out|aborted|fetch failed/i;

/**
 * Turns a failure of the Redis transport into a 503 problem with Retry-After; anything else
 * (a script bug, a wrong-type reply) is returned as is, to become a 500.
 */
export function asRedisUnavailable(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  const transport =
    error.name === "AbortError" ||
    error.name === "TimeoutError" ||
    error.name === "UpstashJSONParseError" ||
    // workerd reports a refused or dropped connection as a plain Error ("Network connection lost.").
    (["Error", "TypeError", "UpstashError"].includes(error.name) && UNAVAILABLE.test(error.message)) ||
    error.message === "Exhausted all retries";
  if (!transport) return undefined;
  return new AppError("redis_unavailable", "Storage is temporarily unavailable. Try again shortly.", {
    headers: { "retry-after": "2" },
    cause: error,
  });
}
