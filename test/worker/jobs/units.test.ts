import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelay } from "../../../src/lib/jobs/retry.ts";
import { DEFAULT_RETRY_SCHEDULE } from "../../../src/lib/jobs/schema.ts";
import { generateSecret, secretProblem, signatureHeader } from "../../../src/lib/jobs/signature.ts";
import { targetProblem } from "../../../src/lib/jobs/target.ts";

describe("signatures", () => {
  it("match the Standard Webhooks test vector", async () => {
    // standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts, "sign function works".
    expect(
      await signatureHeader(
        ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("list one entry per secret during a rotation", async () => {
    const header = await signatureHeader(
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", generateSecret()],
      "msg_1",
      1614265330,
      "{}",
    );
    expect(header.split(" ")).toHaveLength(2);
    expect(header.split(" ").every((entry) => /^v1,[A-Za-z0-9+/]{43}=$/.test(entry))).toBe(true);
  });

  it("refuse secrets that are not whsec_ base64 of 24-64 bytes", () => {
    expect(
      [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_not base64!",
        "whsec_c2hvcnQ=",
        `whsec_${btoa("x".repeat(65))}`,
        generateSecret(),
      ].map(secretProblem),
    ).toEqual([
      undefined,
      "must start with whsec_ (Standard Webhooks' secret format)",
      "must be whsec_ followed by standard base64",
      "must decode to 24-64 bytes (this one is 5)",
      "must decode to 24-64 bytes (this one is 65)",
      undefined,
    ]);
  });
});

describe("the retry schedule", () => {
  it("defaults to Standard Webhooks' 10 attempts over about 3 days", () => {
    expect(DEFAULT_RETRY_SCHEDULE.length + 1).toBe(10);
    const total = DEFAULT_RETRY_SCHEDULE.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBe((75 * 60 + 35) * 60_000 + 5_000);
  });

  it("jitters each delay by ±20%, repeats the last one, and never retries before Retry-After", () => {
    const schedule = [1000, 60_000];
    expect([0, 0.5, 0.999999].map((r) => retryDelay(1, schedule, () => r))).toEqual([800, 1000, 1200]);
    expect(retryDelay(2, schedule, () => 0.5)).toBe(60_000);
    expect(retryDelay(7, schedule, () => 0.5)).toBe(60_000);
    expect(retryDelay(1, schedule, () => 0.5, 30_000)).toBe(30_000);
    expect(retryDelay(1, schedule, () => 0.5, 10 * 86_400_000)).toBe(86_400_000);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect([parseRetryAfter(null, now), parseRetryAfter("soon", now)]).toEqual([undefined, undefined]);
  });
});

describe("webhook targets", () => {
  const strict = { allowPrivate: false, ownHosts: ["edgekit.example"] };
  const PRIVATE =
    "must be a public address (private, loopback and local names are refused; JOBS_ALLOW_PRIVATE_TARGETS=true allows them)";
  it.each([
    ["https://hooks.example.com/in", undefined],
    ["http://93.184.216.34:8080/x", undefined],
    ["ftp://hooks.example.com/", "must be an http(s) URL"],
    ["not a url", "must be an absolute http(s) URL"],
    ["https://user:pw@hooks.example.com/", "must not carry credentials; put them in headers"],
    ["https://edgekit.example/api/links", "must not point at this service itself"],
    ["http://127.0.0.1:8787/", PRIVATE],
    ["http://2130706433/", PRIVATE],
    ["http://0x7f.1/", PRIVATE],
    ["http://10.1.2.3/", PRIVATE],
    ["http://172.20.0.1/", PRIVATE],
    ["http://192.168.1.1/", PRIVATE],
    ["http://169.254.169.254/latest/meta-data", PRIVATE],
    ["http://100.64.0.1/", PRIVATE],
    ["http://0.0.0.0/", PRIVATE],
    ["http://[::1]/", PRIVATE],
    ["http://[::ffff:127.0.0.1]/", PRIVATE],
    ["http://[fd00::1]/", PRIVATE],
    ["http://[fe80::1]/", PRIVATE],
    ["http://localhost:3000/", PRIVATE],
    ["http://api.localhost/", PRIVATE],
    ["http://printer.local/", PRIVATE],
    ["http://metadata.google.internal/", PRIVATE],
    ["http://intranet/", PRIVATE],
  ])("%s -> %s", (target, problem) => {
    expect(targetProblem(target, strict)).toBe(problem);
  });

  it("allows private addresses with JOBS_ALLOW_PRIVATE_TARGETS, but never this service itself", () => {
    const open = { allowPrivate: true, ownHosts: ["edgekit.example"] };
    expect(targetProblem("http://127.0.0.1:8787/", open)).toBeUndefined();
    expect(targetProblem("https://edgekit.example/", open)).toBe("must not point at this service itself");
  });
});
