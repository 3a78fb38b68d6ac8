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

/** Redis answers BUSY to everyone else while a script runs past its busy-reply-threshold. */
export function busy(cause: unknown): ProxyError {
  return new ProxyError(
    503,
    "Redis is busy running a script and serves nothing else until it ends; the proxy stops scripts that run past their token's time limit (a script that has written cannot be stopped); retry shortly",
    { cause },
  );
}

/** Redis's ACL refusals, at the top level or from inside a script: this token may not run that. */
const NO_PERMISSION = /^NOPERM |^ERR The user executing the script can't run this command/;

/**
 * Sorts a failure from ioredis: Redis's own error replies ("ERR ...", "WRONGTYPE ...") are the
 * client's fault (400), or 403 when the token's ACL user may not run the command; BUSY and
 * anything else (closed stream, timeout, refused connection) mean Redis cannot serve now (503).
 */
export function classify(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  if (error instanceof ReplyError) {
    const message = (error as Error).message;
    if (message.startsWith("BUSY ")) return busy(error);
    if (message.startsWith("LOADING "))
      return new ProxyError(503, "Redis is loading its data; retry shortly", { cause: error });
    if (!NO_PERMISSION.test(message)) return new ProxyError(400, message);
    return new ProxyError(
      403,
      message.startsWith("NOPERM") ? message : `NOPERM this token may not run a command the script calls: ${message}`,
    );
  }
  return unavailable(error);
}

/** True for Redis's own error replies, which belong to one pipeline item rather than the request. */
export function isReplyError(error: unknown): boolean {
  return error instanceof ReplyError;
}
