import { AppError, PROBLEMS, type ProblemCode, problemType } from "./errors.ts";

/** Builds an RFC 9457 `application/problem+json` response. */
export function problemResponse(error: AppError, instance?: string): Response {
  const { status, title } = PROBLEMS[error.code];
  const body = {
    type: problemType(error.code),
    title,
    status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", ...error.headers },
  });
}

/** Shorthand for a problem response without throwing. */
export function problem(code: ProblemCode, detail: string, headers?: Record<string, string>): Response {
  return problemResponse(new AppError(code, detail, { headers }));
}
