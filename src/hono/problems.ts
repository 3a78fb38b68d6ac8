import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../lib/errors.ts";
import { problemResponse } from "../lib/problem.ts";
import { asRedisUnavailable } from "../lib/redis.ts";

/**
 * edgekit's errors as Hono's `HTTPException` carrying the RFC 9457 problem response, so any Hono
 * app renders them without edgekit's error handler: `app.onError` gets `err.getResponse()`, and
 * Hono's default handler returns it as it is. Other errors pass through untouched.
 */
export function toHttpException(error: unknown): unknown {
  const known = error instanceof AppError ? error : asRedisUnavailable(error);
  if (!known) return error;
  return new HTTPException(known.status as ContentfulStatusCode, {
    res: problemResponse(known),
    message: known.message,
    cause: error,
  });
}

/** Runs `work`, turning edgekit's errors into `HTTPException`s. */
export async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpException(error);
  }
}

/** Throws the problem for `code` as an `HTTPException`. */
export function httpProblem(...args: ConstructorParameters<typeof AppError>): never {
  throw toHttpException(new AppError(...args));
}
