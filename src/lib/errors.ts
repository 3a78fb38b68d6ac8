/**
 * One error path for the whole Worker: lib code and middleware throw `AppError` with a code from
 * {@link PROBLEMS}; `app.onError` renders it as RFC 9457 `application/problem+json`.
 */

/** Code -> HTTP status, title and problem type. The only place a status is chosen for an error. */
export const PROBLEMS = {
  bad_request: { status: 400, title: "Bad request" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  // Access (src/lib/access): a key without the route's scope; `scope` names the missing one.
  insufficient_scope: { status: 403, title: "Insufficient scope" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  // Safe retries (src/lib/idempotency, dedup, locks).
  idempotency_key_required: { status: 400, title: "Idempotency key required" },
  idempotency_key_invalid: { status: 400, title: "Invalid idempotency key" },
  request_in_flight: { status: 409, title: "Request in progress" },
  lease_lost: { status: 409, title: "Lease lost" },
  stale_fence: { status: 409, title: "Stale fencing token" },
  key_expired: { status: 410, title: "Idempotency key expired" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  locked: { status: 423, title: "Locked" },
  gone: { status: 410, title: "Gone" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Validation failed" },
  quota_exceeded: {
    status: 429,
    title: "Too many requests",
    // The problem type registered for the IETF RateLimit header fields draft.
    type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
  },
  internal: { status: 500, title: "Internal error" },
  // The gateway (src/lib/gateway): the origin failed, is in error backoff, or was too slow.
  bad_gateway: { status: 502, title: "Bad gateway" },
  gateway_timeout: { status: 504, title: "Gateway timeout" },
  config_invalid: { status: 503, title: "Service misconfigured" },
  redis_unavailable: { status: 503, title: "Storage unavailable" },
} as const satisfies Record<string, { status: number; title: string; type?: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Problem type URI for a code: documented in docs/api.md's error table. */
export function problemType(code: ProblemCode): string {
  const entry = PROBLEMS[code];
  return "type" in entry ? entry.type : `https://edgekit.dev/problems/${code.replaceAll("_", "-")}`;
}

/** Extra members of a problem body, e.g. `errors` for validation or `policy` for rate limits. */
export type ProblemExtensions = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ProblemCode;
  readonly extensions: ProblemExtensions;
  /** Response headers the problem needs (Retry-After, WWW-Authenticate, ...). */
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { extensions?: ProblemExtensions; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.code = code;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEMS[this.code].status;
  }
}

/** A field-level validation error, as listed in a 422 problem's `errors` member. */
export interface FieldError {
  /** JSON pointer-ish dotted path to the field ("" for the body itself). */
  path: string;
  message: string;
}

export function validationError(errors: FieldError[], detail?: string): AppError {
  const first = errors[0];
  return new AppError(
    "validation_failed",
    detail ?? (first ? `${first.path || "body"}: ${first.message}` : "The request is not valid."),
    { extensions: { errors } },
  );
}
