import { AppError, type FieldError, validationError } from "../errors.ts";
import { type PreparedJob, prepareJob } from "./enqueue.ts";
import type { EnqueueInput, JobSpec } from "./schema.ts";
import { endpointOf, type TargetPolicy, targetProblem } from "./target.ts";

export interface JobLimits extends TargetPolicy {
  /** JOBS_MAX_PAYLOAD_BYTES: the largest body (webhook) or payload (job), in bytes. */
  maxPayloadBytes: number;
}

/**
 * Turns a validated enqueue body into the job to write: checks the target and the payload's
 * size, serializes the body once (the exact bytes signed and sent on every attempt), and works
 * out the due time. Throws 422 / 413 problems; nothing reaches Redis on bad input.
 */
export function buildJob(
  config: { KEY_PREFIX: string },
  queue: string,
  input: EnqueueInput,
  limits: JobLimits,
  now: number,
): PreparedJob {
  const errors: FieldError[] = [];
  let spec: JobSpec;
  let endpoint: string | undefined;
  const retry = {
    ...(input.maxAttempts !== undefined ? { maxAttempts: input.maxAttempts } : {}),
    ...(input.retrySchedule !== undefined ? { retrySchedule: input.retrySchedule } : {}),
  };
  let bytes: number;
  if (input.target !== undefined) {
    const problem = targetProblem(input.target, limits);
    if (problem) errors.push({ path: "target", message: problem });
    const body =
      input.body === undefined ? "" : typeof input.body === "string" ? input.body : JSON.stringify(input.body);
    spec = {
      kind: "webhook",
      target: input.target,
      method: input.method ?? "POST",
      headers: input.headers ?? {},
      body,
      ...retry,
    };
    if (!problem) endpoint = endpointOf(input.target);
    bytes = new TextEncoder().encode(body).length;
  } else {
    const payload = JSON.stringify(input.payload ?? null);
    spec = { kind: "job", type: input.type ?? "", payload, ...retry };
    bytes = new TextEncoder().encode(payload).length;
  }
  if (errors.length > 0) throw validationError(errors);
  if (bytes > limits.maxPayloadBytes) {
    throw new AppError(
      "payload_too_large",
      `The job's ${spec.kind === "webhook" ? "body" : "payload"} is ${bytes} bytes, over the limit of ${limits.maxPayloadBytes} (JOBS_MAX_PAYLOAD_BYTES).`,
    );
  }
  const dueAt =
    input.delay !== undefined ? now + input.delay : input.notBefore ? Math.max(now, Date.parse(input.notBefore)) : now;
  return prepareJob(config, queue, {
    spec,
    dueAt,
    now,
    ...(endpoint ? { endpoint } : {}),
    ...(input.dedupId ? { dedupId: input.dedupId } : {}),
  });
}
