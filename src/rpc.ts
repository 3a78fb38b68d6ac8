import { WorkerEntrypoint } from "cloudflare:workers";
import type { Bindings } from "./env.ts";
import type { CacheFillOptions, CacheFillResult, RpcMethods } from "./rpc-methods.ts";

export type {
  CacheFillOptions,
  CacheFillResult,
  EnqueueResult,
  LimitResult,
  NotificationInput,
  NotifyResult,
  Visitor,
} from "./rpc-methods.ts";

type Args<K extends keyof RpcMethods> = Parameters<RpcMethods[K]>;

/**
 * edgekit's hot operations for another Worker, through a service binding: no HTTP, no network hop,
 * no admin token (only Workers of the same account that bind this entrypoint can call it). Each
 * method is the HTTP route's lib call, with the same validation, scripts and round trips (one);
 * the per-route rate limits are the caller's to apply (`limit()` is one). Errors arrive as `Error`s
 * whose message starts with the problem code: `"validation_failed: unitId: ..."`.
 *
 * The caller's wrangler.toml:
 *   [[services]]
 *   binding = "EDGEKIT"
 *   service = "edgekit"
 *   entrypoint = "EdgekitRpc"
 *
 * @example
 * const { allowed } = await env.EDGEKIT.limit(`user:${userId}`);
 */
export class EdgekitRpc extends WorkerEntrypoint<Bindings> {
  /** Follows a short link as the redirect route does: expiry, max clicks, clicks counted (bots apart). */
  followLink(...args: Args<"followLink">) {
    return this.#methods().then((m) => m.followLink(...args));
  }

  /** Spends `cost` units of `identifier`'s quota (`user:<id>`, `ip:<address>`, `admin`) under a policy. */
  limit(...args: Args<"limit">) {
    return this.#methods().then((m) => m.limit(...args));
  }

  /** The live session a cookie's token names (refreshing its idle timer), or null. */
  readSession(...args: Args<"readSession">) {
    return this.#methods().then((m) => m.readSession(...args));
  }

  /** One flag for a context, in OpenFeature's shape (never throws for a bad key or context). */
  evaluateFlag(...args: Args<"evaluateFlag">) {
    return this.#methods().then((m) => m.evaluateFlag(...args));
  }

  /** Every flag for a context, sorted by key. */
  evaluateFlags(...args: Args<"evaluateFlags">) {
    return this.#methods().then((m) => m.evaluateFlags(...args));
  }

  /** A unit's sticky variant of an experiment; the first assignment counts an exposure. */
  assign(...args: Args<"assign">) {
    return this.#methods().then((m) => m.assign(...args));
  }

  /** Counts a unit's conversion on a goal, once, for its stored variant. */
  convert(...args: Args<"convert">) {
    return this.#methods().then((m) => m.convert(...args));
  }

  /** Counts a view of a page id (bots apart, a visitor's repeats within VIEWS_DEDUP_SECONDS skipped). */
  countView(...args: Args<"countView">) {
    return this.#methods().then((m) => m.countView(...args));
  }

  /** Submits a score to every window of a board, as the server (the admin route's submit). */
  submitScore(...args: Args<"submitScore">) {
    return this.#methods().then((m) => m.submitScore(...args));
  }

  /** Enqueues a webhook (`target`) or an app job (`type`); idempotent by `dedupId`. */
  enqueue(...args: Args<"enqueue">) {
    return this.#methods().then((m) => m.enqueue(...args));
  }

  /**
   * Publishes an event to a channel as POST /api/channels/{channel}/events does, as the server
   * (any channel): appended to its bounded history and sent to live subscribers in ONE script.
   * `id` is the SSE id subscribers see.
   */
  publish(...args: Args<"publish">) {
    return this.#methods().then((m) => m.publish(...args));
  }

  /**
   * Cache-aside through edgekit's `cached()`: ONE round trip for a hit, and `fill` (a function of
   * the calling Worker, called back over RPC) runs once across every caller and isolate per miss;
   * concurrent callers wait for that fill. A stale entry is refreshed by the one call that wins
   * the fill lease, which waits for `fill` and gets the fresh value; the others get the stale one
   * at once. `fill` never runs after this call returns, so the caller's stub may be disposed.
   * Values cross the binding by structured clone and are stored as JSON.
   *
   * @example
   * const { value } = await env.EDGEKIT.cacheGetOrFill(`user:${id}`, () => loadUser(id), { ttl: 60_000 });
   */
  cacheGetOrFill<T>(
    key: string,
    fill: (context: { stale?: T }) => T | undefined | Promise<T | undefined>,
    options: CacheFillOptions,
  ): Promise<CacheFillResult<T>> {
    return this.#methods().then((m) => m.cacheGetOrFill<T>(key, fill, options));
  }

  /**
   * Adds a notification to a user's inbox as POST /api/users/{userId}/notifications does
   * (deduplicated by `key`, capped at INBOX_CAP), publishing the counts to `user:{userId}`: ONE script.
   */
  notify(...args: Args<"notify">) {
    return this.#methods().then((m) => m.notify(...args));
  }

  /**
   * A presence heartbeat for `member` in `room` as POST /api/presence/{room} does with the admin
   * token: records the member, expires the silent, publishes joins and leaves: ONE script.
   */
  heartbeat(...args: Args<"heartbeat">) {
    return this.#methods().then((m) => m.heartbeat(...args));
  }

  /** The implementation, imported on the first call (an isolate that serves only HTTP never loads it). */
  #methods(): Promise<RpcMethods> {
    return import("./rpc-methods.ts").then(({ RpcMethods }) => new RpcMethods(this.env, this.ctx));
  }
}
