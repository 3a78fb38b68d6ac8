import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { AppError, type ProblemCode } from "../lib/errors.ts";
import { problemResponse } from "../lib/problem.ts";
import { asRedisUnavailable } from "../lib/redis.ts";
import { dashboardErrorPage, isDashboardError } from "../routes/admin/error-page.tsx";

const STATUS_CODES: Record<number, ProblemCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** Maps anything thrown to a problem; the cause of a 5xx goes to the log, never to the client. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const code = STATUS_CODES[error.status] ?? (error.status >= 500 ? "internal" : "bad_request");
    // Hono's own messages ("Malformed JSON in request body") are safe and say what is wrong.
    return new AppError(code, error.message || "The request could not be processed.", { cause: error });
  }
  return (
    asRedisUnavailable(error) ??
    new AppError("internal", "Something went wrong on our side. It has been logged.", { cause: error })
  );
}

/** Logs a server-side failure with its cause, as one JSON line tied to the request id. */
export function logServerError(appError: AppError, c: Context<AppEnv>): void {
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.get("requestId"),
      code: appError.code,
      message: appError.message,
      cause: String((appError.cause as Error | undefined)?.stack ?? appError.cause ?? ""),
    }),
  );
}

export function onError(error: unknown, c: Context<AppEnv>): Response {
  const appError = toAppError(error);
  if (appError.status >= 500) logServerError(appError, c);
  if (isDashboardError(c, appError)) return dashboardErrorPage(c, appError);
  return problemResponse(appError, c.req.path);
}

export function notFound(c: Context<AppEnv>): Response {
  return problemResponse(new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`), c.req.path);
}
