/** What a handler learns about the job it runs besides its payload. */
export interface JobContext {
  id: string;
  queue: string;
  /** 1 on the first attempt. */
  attempt: number;
}

export type JobHandler<P> = (payload: P, job: JobContext) => Promise<unknown> | unknown;

/**
 * A typed registry of the jobs the app runs itself. The claim loop runs the handler of a job's
 * `type` with its payload; a handler that throws (or is missing) fails the attempt, which is
 * retried on the schedule and dead-lettered when exhausted, exactly like a webhook.
 *
 * @example
 * const jobs = createJobHandlers<{ "send-email": { to: string; subject: string } }>();
 * jobs.on("send-email", async (payload) => mailer.send(payload.to, payload.subject));
 */
export class JobHandlers<Types extends Record<string, unknown> = Record<string, unknown>> {
  readonly #handlers = new Map<string, JobHandler<never>>();

  on<K extends keyof Types & string>(type: K, handler: JobHandler<Types[K]>): this {
    this.#handlers.set(type, handler as JobHandler<never>);
    return this;
  }

  /** The handler of a type, or undefined. */
  get(type: string): JobHandler<unknown> | undefined {
    return this.#handlers.get(type) as JobHandler<unknown> | undefined;
  }
}

export function createJobHandlers<Types extends Record<string, unknown> = Record<string, unknown>>() {
  return new JobHandlers<Types>();
}

/** The Worker's own registry: `jobs.on("send-email", async (payload) => ...)` in the app's code. */
export const jobs = createJobHandlers();
