/**
 * Jobs and webhooks on Redis Streams: enqueue (one script, idempotent by dedup id), claim and
 * settle in batches (one script each), retries on a schedule, a dead-letter stream, Standard
 * Webhooks signatures, per-endpoint flow control, and a typed registry of the app's own jobs.
 */
export { type ClaimedJob, type ClaimResult, claimBatch } from "./claim.ts";
export { buildJob, type JobLimits } from "./create-job.ts";
export { attemptJob, liveSecrets } from "./deliver.ts";
export { type DeadLetter, listDeadLetters, purgeDeadLetters, replayDeadLetters } from "./dlq.ts";
export {
  decodeEnqueue,
  ENQUEUE_STEP,
  type EnqueueResult,
  enqueueJob,
  type PreparedJob,
  prepareJob,
  withEnqueueStep,
} from "./enqueue.ts";
export { type QueueEvent, readEvents } from "./events.ts";
export { getJob, type JobView } from "./get-job.ts";
export { createJobHandlers, type JobContext, type JobHandler, JobHandlers, jobs } from "./handlers.ts";
export { JOB_ID, QUEUE_NAME } from "./keys.ts";
export { listQueues } from "./list-queues.ts";
export { type PublicSettings, type PutQueueResult, publicSettings, putQueue } from "./put-queue.ts";
export { type QueueStats, queueStats } from "./queue-stats.ts";
export { readSettings } from "./read-settings.ts";
export { parseRetryAfter, retryDelay } from "./retry.ts";
export { type RunOptions, type RunReport, runQueue } from "./run-queue.ts";
export * from "./schema.ts";
export { type Outcome, settleBatch } from "./settle.ts";
export { generateSecret, secretProblem, signatureHeader } from "./signature.ts";
export { endpointOf, type TargetPolicy, targetProblem } from "./target.ts";
export { runTick, type TickReport } from "./tick.ts";
