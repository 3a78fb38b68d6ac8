import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import {
  buildJob,
  enqueueInputSchema,
  enqueueJob,
  getJob,
  JOB_ID,
  type JobHandlers,
  listDeadLetters,
  purgeDeadLetters,
  putQueue,
  QUEUE_NAME,
  queueSettingsInputSchema,
  queueStats,
  readEvents,
  readSettings,
  replayDeadLetters,
  runQueue,
} from "../lib/jobs/index.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const queueParams = z.object({
  queue: z
    .string()
    .regex(QUEUE_NAME, "must be 1-63 of a-z 0-9 -, starting with a letter or digit")
    .openapi({ param: { name: "queue", in: "path" } }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const unauthorized = unauthorizedResponse;
const invalid = problemResponse("The body or a parameter fails validation; `errors` lists the fields");
const noQueue = problemResponse("No such queue (create it with PUT /api/queues/{queue})");

const attemptSchema = z.object({
  attempt: z.number().int(),
  at: z.number().int(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});
const settingsSchema = z
  .object({
    name: z.string(),
    parallelism: z.number().int().nullable(),
    rate: z.object({ limit: z.number().int(), periodMs: z.number().int() }).nullable(),
    timeoutMs: z.number().int(),
    visibilityTimeoutMs: z.number().int(),
    maxAttempts: z.number().int(),
    retrySchedule: z.array(z.number().int()),
    disableAfterMs: z.number().int(),
    dedupWindowMs: z.number().int(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    signingSecrets: z.array(z.object({ current: z.boolean(), expiresAt: z.number().int().nullable() })),
    secret: z.string().optional().openapi({ description: "Only when edgekit generated it: shown this once" }),
  })
  .openapi("QueueSettings");
const jobSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    status: z.enum(["queued", "scheduled", "active", "done", "dead"]),
    attempts: z.number().int(),
    kind: z.enum(["webhook", "job"]),
    target: z.string().optional(),
    type: z.string().optional(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    dueAt: z.number().int(),
    deadReason: z.string().optional(),
    replays: z.number().int(),
    history: z.array(attemptSchema),
  })
  .openapi("Job");
const runSchema = z.object({
  found: z.boolean(),
  batches: z.number().int(),
  attempted: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
  dead: z.number().int(),
  throttled: z.number().int(),
});
const idsSchema = z.object({
  ids: z.array(z.string().regex(JOB_ID, "must be a job id")).min(1).max(1000).optional().openapi({
    description: "The jobs to act on; leave out for every dead letter (up to 1000 per call)",
  }),
});

const putQueueRoute = createRoute({
  ...secured("jobs:write"),
  tags: ["jobs"],
  method: "put",
  path: "/api/queues/{queue}",
  summary: "Create a queue or change its settings (signing secret, flow control, retries)",
  description:
    "Fields left out keep their values. A new `secret` (whsec_ + base64 of 24-64 bytes) becomes the current one; the previous one keeps signing for 24 h. A queue without a secret gets one generated, returned once in `secret`.",
  request: { params: queueParams, ...body(queueSettingsInputSchema) },
  responses: {
    200: json(settingsSchema, "Updated"),
    201: json(settingsSchema, "Created"),
    401: unauthorized,
    422: invalid,
  },
});

const getQueueRoute = createRoute({
  ...secured("jobs:read"),
  tags: ["jobs"],
  method: "get",
  path: "/api/queues/{queue}",
  summary: "A queue's settings (secrets are never shown)",
  request: { params: queueParams },
  responses: { 200: json(settingsSchema, "The settings"), 401: unauthorized, 404: noQueue, 422: invalid },
});

const enqueueRoute = createRoute({
  ...secured("jobs:write"),
  tags: ["jobs"],
  method: "post",
  path: "/api/queues/{queue}/jobs",
  summary: "Enqueue a webhook (`target`) or an app job (`type`); idempotent by `dedupId`",
  description:
    "One Redis round trip. A job due now gets its first attempt right after the reply (waitUntil). A repeated `dedupId` within the queue's dedup window answers 200 with the existing job's id.",
  request: { params: queueParams, ...body(enqueueInputSchema) },
  responses: {
    201: json(z.object({ id: z.string(), duplicate: z.literal(false), dueAt: z.number().int() }), "Enqueued"),
    200: json(z.object({ id: z.string(), duplicate: z.literal(true) }), "A duplicate: the existing job"),
    401: unauthorized,
    404: noQueue,
    413: problemResponse("The body or payload is over JOBS_MAX_PAYLOAD_BYTES"),
    422: invalid,
  },
});

const getJobRoute = createRoute({
  ...secured("jobs:read"),
  tags: ["jobs"],
  method: "get",
  path: "/api/jobs/{id}",
  summary: "A job's status and its last 10 attempts",
  request: {
    params: z.object({
      id: z
        .string()
        .regex(JOB_ID, "must be a job id")
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: { 200: json(jobSchema, "The job"), 401: unauthorized, 404: problemResponse("No such job"), 422: invalid },
});

const statsRoute = createRoute({
  ...secured("jobs:read"),
  tags: ["jobs"],
  method: "get",
  path: "/api/queues/{queue}/stats",
  summary: "Due, pending, delayed and dead jobs, lag and disabled endpoints",
  request: { params: queueParams },
  responses: {
    200: json(
      z.object({
        due: z.number().int(),
        pending: z.number().int(),
        delayed: z.number().int(),
        dlq: z.number().int(),
        jobs: z.number().int(),
        lagMs: z.number().int(),
        disabledEndpoints: z.array(
          z.object({ endpoint: z.string(), disabledAt: z.number().int(), reason: z.string() }),
        ),
      }),
      "Counters",
    ),
    401: unauthorized,
    404: noQueue,
    422: invalid,
  },
});

const runRoute = createRoute({
  ...secured("jobs:write"),
  tags: ["jobs"],
  method: "post",
  path: "/api/queues/{queue}/run",
  summary: "Pull the queue now: claim and attempt due jobs in batches (what the cron tick does)",
  request: {
    params: queueParams,
    query: z.object({ max: z.coerce.number().int().min(1).max(1000).default(100) }),
  },
  responses: { 200: json(runSchema, "What the pull did"), 401: unauthorized, 404: noQueue, 422: invalid },
});

const dlqRoute = createRoute({
  ...secured("jobs:read"),
  tags: ["jobs"],
  method: "get",
  path: "/api/queues/{queue}/dlq",
  summary: "Dead letters, newest first",
  request: {
    params: queueParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      before: z
        .string()
        .regex(/^\d{1,20}-\d{1,20}$/, "must be an entry from a previous page")
        .optional(),
    }),
  },
  responses: {
    200: json(
      z.object({
        deadLetters: z.array(
          z.object({
            entry: z.string(),
            id: z.string(),
            reason: z.string(),
            at: z.number().int(),
            attempts: z.number().int(),
            target: z.string().optional(),
            type: z.string().optional(),
            lastAttempt: attemptSchema.nullable(),
          }),
        ),
      }),
      "A page of dead letters",
    ),
    401: unauthorized,
    404: noQueue,
    422: invalid,
  },
});

const replayRoute = createRoute({
  ...secured("jobs:write"),
  tags: ["jobs"],
  method: "post",
  path: "/api/queues/{queue}/dlq/replay",
  summary: "Replay dead letters: fresh attempts, the same job id (webhook-id)",
  request: { params: queueParams, ...body(idsSchema) },
  responses: {
    200: json(z.object({ replayed: z.array(z.string()) }), "The jobs put back in the queue"),
    401: unauthorized,
    404: noQueue,
    422: invalid,
  },
});

const purgeRoute = createRoute({
  ...secured("jobs:write"),
  tags: ["jobs"],
  method: "post",
  path: "/api/queues/{queue}/dlq/purge",
  summary: "Delete dead letters and their jobs for good",
  request: { params: queueParams, ...body(idsSchema) },
  responses: {
    200: json(z.object({ purged: z.number().int() }), "How many were deleted"),
    401: unauthorized,
    404: noQueue,
    422: invalid,
  },
});

const eventsRoute = createRoute({
  ...secured("jobs:read"),
  tags: ["jobs"],
  method: "get",
  path: "/api/queues/{queue}/events",
  summary: "Operational events, newest first: endpoint.disabled, message.attempt.exhausted",
  request: {
    params: queueParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
  },
  responses: {
    200: json(z.object({ events: z.array(z.record(z.string(), z.union([z.string(), z.number()]))) }), "Events"),
    401: unauthorized,
    404: noQueue,
    422: invalid,
  },
});

const missingQueue = (queue: string) =>
  new AppError("not_found", `No queue "${queue}": create it with PUT /api/queues/${queue}.`);

/** Our own hosts: a webhook to one of them would call this Worker. */
const ownHosts = (c: Context<AppEnv>): string[] => {
  const hosts = [new URL(c.req.url).host];
  const publicUrl = c.get("config").PUBLIC_URL;
  if (publicUrl) hosts.push(new URL(publicUrl).host);
  return hosts;
};

async function requireQueue(c: Context<AppEnv>, queue: string) {
  const settings = await readSettings(c.get("redis"), c.get("config"), queue);
  if (!settings) throw missingQueue(queue);
  return settings;
}

/** Runs work after the response when the runtime gives a waitUntil (tests without one skip it). */
function afterResponse(c: Context<AppEnv>, work: () => Promise<unknown>): void {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as ExecutionContext;
  } catch {
    return;
  }
  ctx.waitUntil(work().catch((error: unknown) => console.error("jobs: first attempt failed to run", error)));
}

/** The first attempt's pull after an enqueue: one batch, small, so it fits waitUntil's 30 s. */
const FIRST_ATTEMPT_BATCH = 6;

/** The jobs API. `handlers` runs the app's own job types (the same registry as the cron tick). */
export function jobRoutes(handlers: JobHandlers) {
  return createRouter()
    .openapi(putQueueRoute, async (c) => {
      const { queue } = c.req.valid("param");
      const result = await putQueue(c.get("redis"), c.get("config"), queue, c.req.valid("json"), c.get("clock").now());
      const payload = { ...result.settings, ...(result.secret ? { secret: result.secret } : {}) };
      return result.created ? c.json(payload, 201) : c.json(payload, 200);
    })
    .openapi(getQueueRoute, async (c) => {
      const { queue } = c.req.valid("param");
      const { secrets, ...rest } = await requireQueue(c, queue);
      return c.json(
        {
          name: queue,
          ...rest,
          signingSecrets: secrets.map((s) => ({ current: s.expiresAt === null, expiresAt: s.expiresAt })),
        },
        200,
      );
    })
    .openapi(enqueueRoute, async (c) => {
      const { queue } = c.req.valid("param");
      const config = c.get("config");
      const now = c.get("clock").now();
      const job = buildJob(
        config,
        queue,
        c.req.valid("json"),
        {
          allowPrivate: config.JOBS_ALLOW_PRIVATE_TARGETS,
          ownHosts: ownHosts(c),
          maxPayloadBytes: config.JOBS_MAX_PAYLOAD_BYTES,
        },
        now,
      );
      const limit = await c.get("rateLimit").forScript(); // the check runs inside enqueue.lua
      const result = await enqueueJob(c.get("redis"), job, limit);
      if (result.outcome === "no_queue") throw missingQueue(queue);
      if (result.outcome === "duplicate") return c.json({ id: result.id, duplicate: true as const }, 200);
      if (result.dueAt <= now) {
        const redis = c.get("redis");
        const clock = c.get("clock");
        afterResponse(c, () => runQueue(redis, config, queue, { clock, handlers, maxJobs: FIRST_ATTEMPT_BATCH }));
      }
      return c.json({ id: result.id, duplicate: false as const, dueAt: result.dueAt }, 201, {
        location: `/api/jobs/${result.id}`,
      });
    })
    .openapi(getJobRoute, async (c) => {
      const job = await getJob(c.get("redis"), c.get("config"), c.req.valid("param").id);
      if (!job) throw new AppError("not_found", "No such job (succeeded jobs are kept 7 days).");
      return c.json(job, 200);
    })
    .openapi(statsRoute, async (c) => {
      const { queue } = c.req.valid("param");
      const stats = await queueStats(c.get("redis"), c.get("config"), queue, c.get("clock").now());
      if (!stats) throw missingQueue(queue);
      return c.json(stats, 200, { "cache-control": "no-store" });
    })
    .openapi(runRoute, async (c) => {
      const { queue } = c.req.valid("param");
      const report = await runQueue(c.get("redis"), c.get("config"), queue, {
        clock: c.get("clock"),
        handlers,
        maxJobs: c.req.valid("query").max,
      });
      if (!report.found) throw missingQueue(queue);
      return c.json(report, 200);
    })
    .openapi(dlqRoute, async (c) => {
      const { queue } = c.req.valid("param");
      await requireQueue(c, queue);
      const { limit, before } = c.req.valid("query");
      const letters = await listDeadLetters(c.get("redis"), c.get("config"), queue, {
        limit,
        ...(before ? { before } : {}),
      });
      const deadLetters = letters.map((letter) => ({
        entry: letter.entry,
        id: letter.id,
        reason: letter.reason,
        at: letter.at,
        attempts: letter.state?.attempts ?? 0,
        ...(letter.spec?.kind === "webhook" ? { target: letter.spec.target } : {}),
        ...(letter.spec?.kind === "job" ? { type: letter.spec.type } : {}),
        lastAttempt: letter.state?.history.at(-1) ?? null,
      }));
      return c.json({ deadLetters }, 200);
    })
    .openapi(replayRoute, async (c) => {
      const { queue } = c.req.valid("param");
      await requireQueue(c, queue);
      const { ids } = c.req.valid("json");
      const replayed = await replayDeadLetters(
        c.get("redis"),
        c.get("config"),
        queue,
        ids ?? "all",
        c.get("clock").now(),
      );
      return c.json({ replayed }, 200);
    })
    .openapi(purgeRoute, async (c) => {
      const { queue } = c.req.valid("param");
      await requireQueue(c, queue);
      const { ids } = c.req.valid("json");
      const purged = await purgeDeadLetters(c.get("redis"), c.get("config"), queue, ids ?? "all");
      return c.json({ purged }, 200);
    })
    .openapi(eventsRoute, async (c) => {
      const { queue } = c.req.valid("param");
      await requireQueue(c, queue);
      const events = await readEvents(c.get("redis"), c.get("config"), queue, c.req.valid("query").limit);
      return c.json({ events }, 200);
    });
}
