import { inject } from "vitest";
import { createApp } from "../../../src/app.ts";
import { type Bindings, loadConfig } from "../../../src/env.ts";
import { type ManualClock, manualClock } from "../../../src/lib/clock.ts";
import { createJobHandlers, type JobHandlers } from "../../../src/lib/jobs/index.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import type { ReceiverAnswer } from "../../setup/receiver.ts";
import { NO_LIMITS } from "../reliability/helpers.ts";
import { adminHeaders, jsonHeaders, testBindings } from "../support.ts";

export const RECEIVER = inject("receiverUrl");

/** A test secret (24 bytes, the Standard Webhooks test vector's). */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/**
 * The app with a manual clock and its own job handlers, plus the lib's redis/config for direct
 * calls. `send` makes an admin JSON request.
 */
export function jobsApp(file: string, options: { handlers?: JobHandlers; bindings?: Partial<Bindings> } = {}) {
  const handlers = options.handlers ?? createJobHandlers();
  const clock: ManualClock = manualClock(Date.now());
  // Rate limits out of the way: some tests send 100 requests at once.
  const bindings = testBindings(file, { RATE_LIMITS: NO_LIMITS, ...options.bindings });
  const app = createApp({ clock, jobs: handlers });
  const config = loadConfig(bindings);
  const request = async (path: string, init?: RequestInit): Promise<Response> =>
    app.request(`http://edgekit.test${path}`, init, bindings);
  const send = (method: string, path: string, body?: unknown) =>
    request(path, {
      method,
      headers: adminHeaders(jsonHeaders()),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, status = 200) => {
    const res = await send(method, path, body);
    const text = await res.text();
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return { app, bindings, clock, config, redis: () => createRedis(config), request, send, json, handlers };
}

export type JobsApp = ReturnType<typeof jobsApp>;

/** A fresh receiver bucket: its URL, a way to program answers and to read what arrived. */
export function receiver(name: string) {
  const bucket = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    url: `${RECEIVER}/${bucket}/hook`,
    origin: RECEIVER,
    async program(...answers: ReceiverAnswer[]) {
      await fetch(`${RECEIVER}/__program/${bucket}`, { method: "POST", body: JSON.stringify(answers) });
    },
    async log() {
      const res = await fetch(`${RECEIVER}/__log/${bucket}`);
      return (await res.json()) as {
        requests: { method: string; headers: Record<string, string>; body: string; at: number }[];
        maxInFlight: number;
      };
    },
  };
}

/** Creates a queue with the test secret and the given settings. */
export const createQueue = (t: JobsApp, queue: string, settings: Record<string, unknown> = {}) =>
  t.json("PUT", `/api/queues/${queue}`, { secret: SECRET, ...settings }, 201);

export const enqueue = (t: JobsApp, queue: string, job: Record<string, unknown>) =>
  t.json<{ id: string; duplicate: boolean }>("POST", `/api/queues/${queue}/jobs`, job, 201);

export const run = (t: JobsApp, queue: string) =>
  t.json<{ attempted: number; succeeded: number; failed: number; retried: number; dead: number; throttled: number }>(
    "POST",
    `/api/queues/${queue}/run`,
  );

export const job = (t: JobsApp, id: string) =>
  t.json<{ status: string; attempts: number; history: { status: number | null; error: string | null }[] }>(
    "GET",
    `/api/jobs/${id}`,
  );
