import { z } from "zod";
import { type Bindings, type Config, loadConfig } from "./env.ts";
import { type CachedOptions, type CacheOutcome, cachedWithOutcome } from "./lib/cache/index.ts";
import {
  CHANNEL_RULE,
  EVENT_NAME,
  EVENT_NAME_RULE,
  isChannelName,
  RESERVED_EVENTS,
  RESERVED_EVENTS_RULE,
} from "./lib/channels/names.ts";
import { publishEvent } from "./lib/channels/publish-event.ts";
import { MAX_EVENT_BYTES } from "./lib/channels/settings.ts";
import { clientFrom } from "./lib/client-info.ts";
import { AppError, validationError } from "./lib/errors.ts";
import { type Assignment, assignUnit } from "./lib/experiments/assign.ts";
import { type Conversion, recordConversion } from "./lib/experiments/record-conversion.ts";
import { conversionInputSchema, EXPERIMENT_KEY } from "./lib/experiments/schema.ts";
import { fieldErrorsOf } from "./lib/field-errors.ts";
import type { EvaluationContext } from "./lib/flags/context.ts";
import type { Evaluation } from "./lib/flags/evaluate.ts";
import { evaluateFlag, evaluateFlags } from "./lib/flags/evaluate-flags.ts";
import { type InboxCounts, notify } from "./lib/inbox/inbox.ts";
import { MAX_NOTIFICATION_DATA_BYTES, notificationInputSchema } from "./lib/inbox/schema.ts";
import { enqueueJob } from "./lib/jobs/enqueue.ts";
import { buildJob, type EnqueueInput, enqueueInputSchema, jobs, QUEUE_NAME, runQueue } from "./lib/jobs/index.ts";
import { limitJsonBytes } from "./lib/json-size.ts";
import { namespace } from "./lib/keys.ts";
import { boardKeySchema, memberSchema, scoreSchema } from "./lib/leaderboards/schema.ts";
import { type Submitted, submitScore } from "./lib/leaderboards/submit-score.ts";
import { type FollowOutcome, followLink } from "./lib/links/follow-link.ts";
import { CONNECTION_ID, CONNECTION_ID_RULE, ROOM_NAME, ROOM_NAME_RULE } from "./lib/presence/keys.ts";
import { type BeatResult, heartbeat, MAX_INFO_BYTES } from "./lib/presence/presence.ts";
import { checkLimit } from "./lib/ratelimit/check-limit.ts";
import { identifierSchema, storedIdentifier } from "./lib/ratelimit/identifier.ts";
import { POLICY_NAMES, type PolicyName } from "./lib/ratelimit/policies.ts";
import { asRedisUnavailable, createRedis, type RedisClient } from "./lib/redis.ts";
import { readSession, type Session } from "./lib/sessions/index.ts";
import { SESSION_LIMITS, USER_ID_RULE } from "./lib/sessions/session.ts";
import { type CountedView, countView } from "./lib/views/count-view.ts";
import { assertPageId } from "./lib/views/page-id.ts";

/** The visitor a call acts for, as the calling Worker saw them (`CF-Connecting-IP`, `User-Agent`, ...). */
export interface Visitor {
  ip?: string;
  userAgent?: string;
  /** ISO 3166 alpha-2, e.g. from `request.cf.country`. */
  country?: string;
  referrer?: string;
}

/** What `limit()` decided. `reset` is in ms since the epoch. */
export type LimitResult =
  | { allowed: boolean; limit: number; remaining: number; reset: number; policy: PolicyName }
  /** Redis failed: the policy's `onRedisFailure` decided (`allowed` true when it fails open). */
  | { allowed: boolean; failed: true; policy: PolicyName };

/**
 * How `cacheGetOrFill()` fills and keeps an entry: `cached()`'s options (times in ms) that cross a
 * binding. `namespace` defaults to "default"; keys live under edgekit's KEY_PREFIX.
 */
export type CacheFillOptions = Pick<
  CachedOptions<unknown>,
  "ttl" | "staleWhileRevalidate" | "staleIfError" | "tags" | "negative" | "namespace" | "waitMs"
>;

export interface CacheFillResult<T> {
  value: T | undefined;
  /** "hit", "stale", "stale-if-error", "miss" (this call filled), "wait-hit" or "uncached". */
  outcome: CacheOutcome;
}

/** A notification as `notify()` takes it: the HTTP route's body. */
export interface NotificationInput {
  title: string;
  body?: string;
  data?: unknown;
  /** A second notify with this key is a no-op. */
  key?: string;
}

export type NotifyResult = { id: number; duplicate: boolean; counts: InboxCounts; evicted: number[] };

export type EnqueueResult = { id: string; duplicate: false; dueAt: number } | { id: string; duplicate: true };

/**
 * The implementation of EdgekitRpc's methods (src/rpc.ts), loaded on an isolate's first call so
 * that Workers which never call over RPC do not pay for it at startup. Each method is the HTTP
 * route's lib call, with the same validation, scripts and round trips (one).
 */
export class RpcMethods {
  constructor(
    private readonly env: Bindings,
    private readonly ctx: ExecutionContext,
  ) {}

  followLink(slug: string, visitor: Visitor = {}, query = ""): Promise<FollowOutcome> {
    return this.#run((redis, config, now) =>
      followLink(redis, config, { slug: String(slug), now, client: clientFrom(visitor), query: String(query) }),
    );
  }

  limit(identifier: string, options: { policy?: PolicyName; cost?: number } = {}): Promise<LimitResult> {
    return this.#run(async (redis, config) => {
      const policy = options.policy ?? "default";
      if (!POLICY_NAMES.includes(policy)) {
        throw validationError([{ path: "policy", message: `one of ${POLICY_NAMES.join(", ")}` }]);
      }
      const cost = options.cost ?? 1;
      if (!Number.isInteger(cost) || cost < 1 || cost > 1000) {
        throw validationError([{ path: "cost", message: "a whole number from 1 to 1000" }]);
      }
      const id = await storedIdentifier(parse(identifierSchema, identifier, "identifier"), config.HASH_SECRET);
      const outcome = await checkLimit(redis, config, { policy, identifier: id, cost });
      if ("cause" in outcome) return { allowed: outcome.status === "fail-open", failed: true, policy };
      if ("pending" in outcome) this.ctx.waitUntil(outcome.pending);
      const { limit, remaining, reset } = outcome;
      return { allowed: outcome.status === "allowed", limit, remaining, reset, policy };
    });
  }

  readSession(token: string): Promise<Session | null> {
    return this.#run(
      async (redis, config, now) => (await readSession(redis, config, { token: String(token), now })) ?? null,
    );
  }

  evaluateFlag(key: string, context: EvaluationContext = {}): Promise<Evaluation> {
    return this.#run((redis, config, now) => evaluateFlag(redis, config, now, String(key), context));
  }

  evaluateFlags(context: EvaluationContext = {}): Promise<Evaluation[]> {
    return this.#run(async (redis, config, now) => {
      const result = await evaluateFlags(redis, config, now, context);
      return result.ok ? result.flags : [result.failure];
    });
  }

  assign(experiment: string, unitId: string): Promise<Assignment> {
    return this.#run((redis, config) => {
      const key = experimentKey(experiment);
      const { unitId: unit } = parse(conversionInputSchema.pick({ unitId: true }), { unitId }, "unitId");
      return assignUnit(redis, config, { key, unitId: unit });
    });
  }

  convert(experiment: string, unitId: string, goal: string, value?: number): Promise<Conversion> {
    return this.#run((redis, config) => {
      const key = experimentKey(experiment);
      const input = parse(conversionInputSchema, { unitId, goal, value }, "");
      return recordConversion(redis, config, { key, ...input });
    });
  }

  countView(page: string, visitor: Visitor = {}): Promise<CountedView> {
    return this.#run((redis, config, now) =>
      countView(redis, config, { page: assertPageId(String(page)), client: clientFrom(visitor), now }),
    );
  }

  submitScore(board: string, member: string, score: number): Promise<Submitted> {
    return this.#run((redis, config, now) =>
      submitScore(redis, config, {
        board: parse(boardKeySchema, board, "board"),
        member: parse(memberSchema, member, "member"),
        score: parse(scoreSchema, score, "score"),
        now,
        by: { kind: "server" },
      }),
    );
  }

  enqueue(queue: string, job: EnqueueInput): Promise<EnqueueResult> {
    return this.#run(async (redis, config, now) => {
      if (!QUEUE_NAME.test(queue)) throw validationError([{ path: "queue", message: "not a queue name" }]);
      const input = parse(enqueueInputSchema, job, "");
      const ownHosts = config.PUBLIC_URL
        ? [new URL(config.PUBLIC_URL).host, ...config.SERVICE_HOSTS]
        : config.SERVICE_HOSTS;
      const prepared = buildJob(
        config,
        queue,
        input,
        { allowPrivate: config.JOBS_ALLOW_PRIVATE_TARGETS, ownHosts, maxPayloadBytes: config.JOBS_MAX_PAYLOAD_BYTES },
        now,
      );
      const result = await enqueueJob(redis, prepared);
      if (result.outcome === "no_queue") throw new AppError("not_found", `No queue "${queue}".`);
      if (result.outcome === "duplicate") return { id: result.id, duplicate: true as const };
      if (result.dueAt <= now) {
        // As the HTTP route does: the first attempt right after the reply.
        this.ctx.waitUntil(
          runQueue(createRedis(config), config, queue, {
            clock: { now: () => Date.now() },
            handlers: jobs,
            maxJobs: 6,
          }).catch(() => {}),
        );
      }
      return { id: result.id, duplicate: false as const, dueAt: result.dueAt };
    });
  }

  publish(channel: string, event: string, data?: unknown): Promise<{ channel: string; id: string }> {
    return this.#run(async (redis, config) => {
      if (typeof channel !== "string" || !isChannelName(channel)) {
        throw validationError([{ path: "channel", message: CHANNEL_RULE }]);
      }
      if (typeof event !== "string" || !EVENT_NAME.test(event)) {
        throw validationError([{ path: "event", message: EVENT_NAME_RULE }]);
      }
      if (RESERVED_EVENTS.has(event)) {
        throw validationError([{ path: "event", message: RESERVED_EVENTS_RULE }]);
      }
      limitJsonBytes(data, MAX_EVENT_BYTES, "data");
      const { id } = await publishEvent(redis, config, { channel, event, data });
      return { channel, id };
    });
  }

  cacheGetOrFill<T>(
    key: string,
    fill: (context: { stale?: T }) => T | undefined | Promise<T | undefined>,
    options: CacheFillOptions,
  ): Promise<CacheFillResult<T>> {
    return this.#run(async (redis, config) => {
      if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
        throw validationError([{ path: "key", message: "1-1024 characters" }]);
      }
      if (typeof fill !== "function") throw validationError([{ path: "fill", message: "a function" }]);
      const { ttl, staleWhileRevalidate, staleIfError, tags, negative, waitMs } = options ?? ({} as CacheFillOptions);
      let refresh: Promise<unknown> | undefined;
      let result: CacheFillResult<T>;
      try {
        result = await cachedWithOutcome<T>(
          redis,
          key,
          async ({ stale }) => fill(stale === undefined ? {} : { stale }),
          {
            ttl,
            staleWhileRevalidate,
            staleIfError,
            tags,
            negative,
            waitMs,
            namespace: options?.namespace,
            prefix: namespace(config),
            beta: 0, // no early refresh: a refresh makes its call wait for `fill`
            waitUntil: (promise) => {
              refresh = promise;
            },
          },
        );
      } catch (error) {
        if (error instanceof RangeError || error instanceof TypeError) {
          throw validationError([{ path: "options", message: error.message }]);
        }
        throw error;
      }
      if (refresh) {
        // This call won a stale entry's lease: wait for its refresh, and answer with it.
        const fresh = (await refresh) as T | undefined;
        if (fresh !== undefined) return { value: fresh, outcome: "miss" };
      }
      return result;
    });
  }

  notify(userId: string, notification: NotificationInput): Promise<NotifyResult> {
    return this.#run((redis, config, now) => {
      const id = parse(z.string().regex(SESSION_LIMITS.userId, USER_ID_RULE), userId, "userId");
      const input = parse(notificationInputSchema, notification, "");
      limitJsonBytes(input.data, MAX_NOTIFICATION_DATA_BYTES, "data");
      return notify(redis, config, { userId: id, ...input, now });
    });
  }

  heartbeat(
    room: string,
    member: string,
    info?: unknown,
    options: { connection?: string; members?: boolean } = {},
  ): Promise<BeatResult> {
    return this.#run((redis, config, now) => {
      if (typeof room !== "string" || !ROOM_NAME.test(room)) {
        throw validationError([{ path: "room", message: ROOM_NAME_RULE }]);
      }
      const who = parse(z.string().regex(SESSION_LIMITS.userId, USER_ID_RULE), member, "member");
      const connection = options.connection ?? "main";
      if (typeof connection !== "string" || !CONNECTION_ID.test(connection)) {
        throw validationError([{ path: "connection", message: CONNECTION_ID_RULE }]);
      }
      limitJsonBytes(info, MAX_INFO_BYTES, "info");
      return heartbeat(redis, config, {
        room,
        member: who,
        connection,
        info,
        withMembers: options.members === true,
        now,
      });
    });
  }

  /** Parses the bindings, makes this call's client, and turns edgekit's errors into plain `Error`s. */
  async #run<T>(work: (redis: RedisClient, config: Config, now: number) => Promise<T> | T): Promise<T> {
    try {
      const config = loadConfig(this.env);
      return await work(createRedis(config), config, Date.now());
    } catch (error) {
      const known = error instanceof AppError ? error : asRedisUnavailable(error);
      if (!known) throw error;
      const fields = known.extensions.errors as { path: string; message: string }[] | undefined;
      throw new Error(`${known.code}: ${known.message}`, { cause: fields });
    }
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(fieldErrorsOf(result.error).map((e) => ({ ...e, path: e.path || path })));
}

function experimentKey(key: unknown): string {
  if (typeof key !== "string" || !EXPERIMENT_KEY.test(key)) {
    throw validationError([{ path: "experiment", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  }
  return key;
}
