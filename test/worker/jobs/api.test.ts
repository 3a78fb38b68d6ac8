import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../../src/lib/jobs/keys.ts";
import { cleanup, problemBody, redisCommand } from "../support.ts";
import { createQueue, enqueue, jobsApp, receiver, SECRET } from "./helpers.ts";

const t = jobsApp("jobs-api");
const strict = jobsApp("jobs-api-strict", {
  bindings: { JOBS_ALLOW_PRIVATE_TARGETS: "false", JOBS_MAX_PAYLOAD_BYTES: "1024" },
});
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(strict.bindings.KEY_PREFIX ?? "");
});
beforeAll(async () => {
  await createQueue(t, "api");
  await createQueue(strict, "api");
});

const invalid = (path: string, message: string) => ({ path, message });
const validation = (instance: string, errors: { path: string; message: string }[]) =>
  problemBody(
    422,
    "validation-failed",
    "Validation failed",
    `${errors[0]?.path || "body"}: ${errors[0]?.message}`,
    instance,
    {
      errors,
    },
  );
const JOBS = "/api/queues/api/jobs";
const hook = receiver("api").url;

describe("bad input", () => {
  it.each([
    [
      "neither target nor type",
      t,
      "POST",
      JOBS,
      { body: "x" },
      validation(JOBS, [
        invalid("target", "give either target (a webhook) or type (a job)"),
        invalid("type", "method, headers and body belong to webhooks"),
      ]),
    ],
    [
      "both target and type",
      t,
      "POST",
      JOBS,
      { target: hook, type: "x" },
      validation(JOBS, [invalid("target", "give either target (a webhook) or type (a job)")]),
    ],
    [
      "an ftp target",
      t,
      "POST",
      JOBS,
      { target: "ftp://example.com/x" },
      validation(JOBS, [invalid("target", "must be an http(s) URL")]),
    ],
    [
      "a loopback target without JOBS_ALLOW_PRIVATE_TARGETS",
      strict,
      "POST",
      JOBS,
      { target: hook },
      validation(JOBS, [
        invalid(
          "target",
          "must be a public address (private, loopback and local names are refused; JOBS_ALLOW_PRIVATE_TARGETS=true allows them)",
        ),
      ]),
    ],
    [
      "a target on this service",
      t,
      "POST",
      JOBS,
      { target: "http://edgekit.test/api/links" },
      validation(JOBS, [invalid("target", "must not point at this service itself")]),
    ],
    [
      "a signature header set by hand",
      t,
      "POST",
      JOBS,
      { target: hook, headers: { "Webhook-Signature": "v1,forged" } },
      validation(JOBS, [
        invalid(
          "headers",
          "webhook-id, webhook-timestamp, webhook-signature, host and content-length are set by edgekit",
        ),
      ]),
    ],
    [
      "a negative delay",
      t,
      "POST",
      JOBS,
      { type: "x", delay: -1 },
      validation(JOBS, [invalid("delay", "Too small: expected number to be >=0")]),
    ],
    [
      "an unknown field",
      t,
      "POST",
      JOBS,
      { type: "x", priority: 1 },
      validation(JOBS, [invalid("", 'Unrecognized key: "priority"')]),
    ],
    [
      "a bad dedupId",
      t,
      "POST",
      JOBS,
      { type: "x", dedupId: "has space" },
      validation(JOBS, [invalid("dedupId", "must be 1-128 of A-Z a-z 0-9 . _ : -")]),
    ],
    [
      "a body over JOBS_MAX_PAYLOAD_BYTES",
      strict,
      "POST",
      JOBS,
      { type: "x", payload: "y".repeat(1100) },
      problemBody(
        413,
        "payload-too-large",
        "Payload too large",
        "The job's payload is 1102 bytes, over the limit of 1024 (JOBS_MAX_PAYLOAD_BYTES).",
        JOBS,
      ),
    ],
    [
      "a queue that does not exist",
      t,
      "POST",
      "/api/queues/nope/jobs",
      { type: "x" },
      problemBody(
        404,
        "not-found",
        "Not found",
        'No queue "nope": create it with PUT /api/queues/nope.',
        "/api/queues/nope/jobs",
      ),
    ],
    [
      "a queue name with capitals",
      t,
      "PUT",
      "/api/queues/Orders",
      {},
      validation("/api/queues/Orders", [
        invalid("param.queue", "must be 1-63 of a-z 0-9 -, starting with a letter or digit"),
      ]),
    ],
    [
      "a raw secret without whsec_",
      t,
      "PUT",
      "/api/queues/api",
      { secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
      validation("/api/queues/api", [invalid("secret", "must start with whsec_ (Standard Webhooks' secret format)")]),
    ],
    [
      "a secret of 5 bytes",
      t,
      "PUT",
      "/api/queues/api",
      { secret: "whsec_c2hvcnQ=" },
      validation("/api/queues/api", [invalid("secret", "must decode to 24-64 bytes (this one is 5)")]),
    ],
    [
      "a visibility timeout shorter than the request timeout",
      t,
      "PUT",
      "/api/queues/api",
      { timeoutMs: 10_000, visibilityTimeoutMs: 5000 },
      validation("/api/queues/api", [invalid("visibilityTimeoutMs", "must be longer than timeoutMs")]),
    ],
    [
      "a job id of another shape",
      t,
      "GET",
      "/api/jobs/12345",
      undefined,
      validation("/api/jobs/12345", [invalid("param.id", "must be a job id")]),
    ],
    [
      "a job that does not exist",
      t,
      "GET",
      "/api/jobs/api_AAAAAAAAAAAAAAAAAAAA",
      undefined,
      problemBody(
        404,
        "not-found",
        "Not found",
        "No such job (succeeded jobs are kept 7 days).",
        "/api/jobs/api_AAAAAAAAAAAAAAAAAAAA",
      ),
    ],
  ])("%s is refused with a problem, nothing written", async (_name, app, method, path, body, expected) => {
    const res = await app.send(method, path, body);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: expected.status, body: expected });
  });

  it("left no job behind", async () => {
    for (const app of [t, strict]) {
      expect(await redisCommand("HLEN", queueKeys(app.config, "api").jobs)).toBe(0);
    }
  });
});

describe("queues", () => {
  it("generate a secret when none is given, shown once, never again", async () => {
    const created = await t.json<{ secret?: string; signingSecrets: unknown[] }>(
      "PUT",
      "/api/queues/generated",
      {},
      201,
    );
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.signingSecrets).toEqual([{ current: true, expiresAt: null }]);
    const again = await t.json<Record<string, unknown>>("PUT", "/api/queues/generated", { parallelism: 3 });
    expect(again.secret).toBeUndefined();
    expect(again.parallelism).toBe(3);
    const read = await t.json<Record<string, unknown>>("GET", "/api/queues/generated");
    expect(JSON.stringify(read)).not.toContain("whsec_");
  });

  it("report due, pending, delayed and dead jobs", async () => {
    await t.json("PUT", "/api/queues/counted", { secret: SECRET }, 201);
    await enqueue(t, "counted", { type: "x" });
    await enqueue(t, "counted", { type: "x" });
    await enqueue(t, "counted", { type: "x", delay: 60_000 });
    expect(await t.json("GET", "/api/queues/counted/stats")).toEqual({
      due: 2,
      pending: 0,
      delayed: 1,
      dlq: 0,
      jobs: 3,
      lagMs: 0,
      disabledEndpoints: [],
    });
    t.clock.advance(90_000);
    expect(await t.json("GET", "/api/queues/counted/stats")).toMatchObject({ due: 3, delayed: 0, lagMs: 30_000 });
  });
});
