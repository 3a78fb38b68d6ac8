import { ReplyError } from "ioredis";

/** An error the proxy answers itself, with the HTTP status it maps to. */
export class ProxyError extends Error {
  override name = "ProxyError";
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Redis could not be reached (down, restarting, timed out): the client should retry later. */
export function unavailable(cause: unknown): ProxyError {
  return new ProxyError(503, "Redis is unreachable; retry shortly", { cause });
}

/**
 * Sorts a failure from ioredis: Redis's own error replies ("ERR ...", "WRONGTYPE ...") are the
 * client's fault (400); anything else (closed stream, timeout, refused connection) means Redis is
 * not there (503).
 */
export function classify(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  if (error instanceof ReplyError) return new ProxyError(400, (error as Error).message);
  return unavailable(error);
}

/** True for Redis's own error replies, which belong to one pipeline item rather than the request. */
export function isReplyError(error: unknown): boolean {
  return error instanceof ReplyError;
}
