import type { ClaimedJob } from "./claim.ts";
import type { JobHandlers } from "./handlers.ts";
import { queueOfJob } from "./keys.ts";
import { parseRetryAfter, retryDelay } from "./retry.ts";
import type { QueueSettings } from "./schema.ts";
import type { Outcome } from "./settle.ts";
import { signatureHeader } from "./signature.ts";

export interface DeliveryOptions {
  /** The time of the attempt (ms): webhook-timestamp and the retry time are counted from it. */
  now: () => number;
  handlers: JobHandlers;
  /** For the jitter; tests pass a fixed one. */
  random?: () => number;
}

/** The response header with which a receiver turns its endpoint off (Standard Webhooks). */
const DELIVERY_HEADER = "webhook-delivery";

/** The secrets that sign at `now`: the current one and rotated-out ones not yet expired. */
export const liveSecrets = (settings: QueueSettings, now: number): string[] =>
  settings.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.key);

type Attempted =
  | { ok: true; status: number | null }
  | { ok: false; status: number | null; error: string; disable?: string; retryAfterMs?: number };

async function sendWebhook(job: ClaimedJob, settings: QueueSettings, now: number): Promise<Attempted> {
  if (job.spec.kind !== "webhook") throw new Error("not a webhook");
  const { target, method, headers, body } = job.spec;
  const timestamp = Math.floor(now / 1000);
  const signature = await signatureHeader(liveSecrets(settings, now), job.id, timestamp, body);
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers: {
        "content-type": "application/json",
        "user-agent": "edgekit-webhooks",
        ...headers,
        "webhook-id": job.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signature,
      },
      body,
      // A 3xx is a failed attempt (Standard Webhooks): redirects are not followed.
      redirect: "manual",
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      ok: false,
      status: null,
      error: timedOut ? `timed out after ${settings.timeoutMs} ms` : `network error: ${String(error).slice(0, 200)}`,
    };
  }
  await res.body?.cancel();
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  const control = res.headers.get(DELIVERY_HEADER)?.trim().toLowerCase();
  const disable =
    res.status === 410
      ? "the endpoint answered 410 Gone"
      : control === "disable"
        ? "the endpoint answered webhook-delivery: disable"
        : undefined;
  const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now);
  return {
    ok: false,
    status: res.status,
    error: `HTTP ${res.status}`,
    ...(disable ? { disable } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

async function runHandler(job: ClaimedJob, settings: QueueSettings, handlers: JobHandlers): Promise<Attempted> {
  if (job.spec.kind !== "job") throw new Error("not an app job");
  const handler = handlers.get(job.spec.type);
  if (!handler) return { ok: false, status: null, error: `no handler registered for type "${job.spec.type}"` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${settings.timeoutMs} ms`)), settings.timeoutMs);
    });
    const payload: unknown = JSON.parse(job.spec.payload);
    await Promise.race([
      handler(payload, { id: job.id, queue: queueOfJob(job.id) ?? "", attempt: job.state.attempts }),
      timeout,
    ]);
    return { ok: true, status: null };
  } catch (error) {
    return { ok: false, status: null, error: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Makes one attempt of a claimed job (a signed fetch, or the app's handler) and decides its
 * outcome: done on 2xx; disable on 410 or `webhook-delivery: disable`; otherwise a retry after the
 * schedule's delay (jittered, never before Retry-After), or dead once maxAttempts are spent.
 */
export async function attemptJob(job: ClaimedJob, settings: QueueSettings, options: DeliveryOptions): Promise<Outcome> {
  const at = options.now();
  const started = Date.now();
  const attempted =
    job.spec.kind === "webhook"
      ? await sendWebhook(job, settings, at)
      : await runHandler(job, settings, options.handlers);
  const record = {
    attempt: job.state.attempts,
    at,
    status: attempted.status,
    error: attempted.ok ? null : attempted.error,
    durationMs: Date.now() - started,
  };
  const base = { id: job.id, entry: job.entry, attempt: job.state.attempts, record };
  if (attempted.ok) return { ...base, result: "done" };
  if (attempted.disable) return { ...base, result: "disable", reason: attempted.disable };
  const maxAttempts = job.spec.maxAttempts ?? settings.maxAttempts;
  if (job.state.attempts >= maxAttempts) return { ...base, result: "dead", reason: "exhausted" };
  const schedule = job.spec.retrySchedule ?? settings.retrySchedule;
  const delay = retryDelay(job.state.attempts, schedule, options.random ?? Math.random, attempted.retryAfterMs);
  return { ...base, result: "retry", retryAt: options.now() + delay };
}
