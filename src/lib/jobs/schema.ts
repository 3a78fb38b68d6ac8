import { z } from "zod";
import { DEDUP_ID } from "./keys.ts";

const DAY = 86_400_000;

/**
 * Standard Webhooks' example schedule (spec §"Retry schedule"): after the immediate first attempt,
 * retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h later: 10 attempts over 3 days.
 */
export const DEFAULT_RETRY_SCHEDULE = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
];

/** Request headers a job may not set: the signature's, and the ones fetch owns. */
const RESERVED_HEADER = /^(webhook-(id|timestamp|signature)|host|content-length|connection|transfer-encoding)$/i;

const retryScheduleSchema = z
  .array(
    z
      .number()
      .int()
      .min(0)
      .max(7 * DAY),
  )
  .max(50, "at most 50 retries");

/** The body of POST /api/queues/{queue}/jobs: a webhook (`target`) or an app job (`type`). */
export const enqueueInputSchema = z
  .strictObject({
    target: z.string().max(2048).optional(),
    method: z.enum(["POST", "PUT", "PATCH", "DELETE"]).optional(),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "must be a header name"), z.string().max(4096))
      .refine((h) => Object.keys(h).length <= 32, "at most 32 headers")
      .refine((h) => !Object.keys(h).some((name) => RESERVED_HEADER.test(name)), {
        message: "webhook-id, webhook-timestamp, webhook-signature, host and content-length are set by edgekit",
      })
      .optional(),
    body: z.unknown().optional(),
    type: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 . _ : -")
      .optional(),
    payload: z.unknown().optional(),
    delay: z
      .number()
      .int()
      .min(0)
      .max(30 * DAY)
      .optional(),
    notBefore: z.iso.datetime({ offset: true }).optional(),
    dedupId: z.string().regex(DEDUP_ID, "must be 1-128 of A-Z a-z 0-9 . _ : -").optional(),
    maxAttempts: z.number().int().min(1).max(50).optional(),
    retrySchedule: retryScheduleSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const webhook = input.target !== undefined;
    if (webhook === (input.type !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "give either target (a webhook) or type (a job)" });
    }
    if (!webhook && (input.method || input.headers || input.body !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["type"], message: "method, headers and body belong to webhooks" });
    }
    if (webhook && input.payload !== undefined) {
      ctx.addIssue({ code: "custom", path: ["payload"], message: "a webhook sends body; payload belongs to jobs" });
    }
    if (input.delay !== undefined && input.notBefore !== undefined) {
      ctx.addIssue({ code: "custom", path: ["notBefore"], message: "give delay or notBefore, not both" });
    }
  });

export type EnqueueInput = z.infer<typeof enqueueInputSchema>;

/** What a job does, written once at enqueue and never changed. */
export type JobSpec =
  | {
      kind: "webhook";
      target: string;
      method: "POST" | "PUT" | "PATCH" | "DELETE";
      headers: Record<string, string>;
      /** The exact bytes sent and signed, on every attempt. */
      body: string;
      maxAttempts?: number;
      retrySchedule?: number[];
    }
  | { kind: "job"; type: string; payload: string; maxAttempts?: number; retrySchedule?: number[] };

export type JobStatus = "queued" | "scheduled" | "active" | "done" | "dead";

export interface Attempt {
  attempt: number;
  at: number;
  /** The HTTP status, or null for a network error, a timeout or an app job. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** A job's state, owned by the scripts (enqueue, claim, settle, replay). */
export interface JobState {
  status: JobStatus;
  attempts: number;
  /** The target's origin (webhooks only): the unit of flow control and disabling. */
  endpoint?: string;
  createdAt: number;
  updatedAt: number;
  dueAt: number;
  history: Attempt[];
  dedupId?: string;
  deadReason?: string;
  throttled?: number;
  replays?: number;
}

/** PUT /api/queues/{queue}. Every field optional: what is left out keeps its value. */
export const queueSettingsInputSchema = z.strictObject({
  secret: z.string().max(200).optional(),
  parallelism: z.number().int().min(1).max(1000).nullable().optional(),
  rate: z
    .strictObject({
      limit: z.number().int().min(1).max(100_000),
      periodSeconds: z.number().int().min(1).max(86_400),
    })
    .nullable()
    .optional(),
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  visibilityTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(12 * 3_600_000)
    .optional(),
  maxAttempts: z.number().int().min(1).max(50).optional(),
  retrySchedule: retryScheduleSchema.optional(),
  disableAfterHours: z
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .optional(),
  dedupWindowSeconds: z
    .number()
    .int()
    .min(1)
    .max(90 * 86_400)
    .optional(),
  enableEndpoints: z.array(z.string().max(2048)).max(100).optional(),
});

export type QueueSettingsInput = z.infer<typeof queueSettingsInputSchema>;

export interface SigningSecret {
  key: string;
  /** When a rotated-out secret stops being used (null: the current one). */
  expiresAt: number | null;
}

/** A queue's settings as stored (cfg key). The scripts read the flow-control fields. */
export interface QueueSettings {
  secrets: SigningSecret[];
  parallelism: number | null;
  rate: { limit: number; periodMs: number } | null;
  timeoutMs: number;
  visibilityTimeoutMs: number;
  maxAttempts: number;
  retrySchedule: number[];
  disableAfterMs: number;
  dedupWindowMs: number;
  createdAt: number;
  updatedAt: number;
}

export const DEFAULT_SETTINGS = {
  parallelism: null,
  rate: null,
  timeoutMs: 10_000,
  visibilityTimeoutMs: 60_000,
  maxAttempts: DEFAULT_RETRY_SCHEDULE.length + 1,
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
  disableAfterMs: 5 * DAY,
  dedupWindowMs: DAY,
} as const satisfies Omit<QueueSettings, "secrets" | "createdAt" | "updatedAt">;

/** cjson encodes an empty Lua table as `{}`: read arrays back on purpose. */
export const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
