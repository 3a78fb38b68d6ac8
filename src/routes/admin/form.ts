import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { AppError, type FieldError } from "../../lib/errors.ts";

/**
 * Dashboard forms post `application/x-www-form-urlencoded`; anything else is refused with a 415, so
 * every state change goes through the CSRF check (Hono's csrf() inspects form types only).
 */
export function formPostsOnly() {
  return createMiddleware<AppEnv>(async function formPostsOnly(c, next) {
    if (c.req.method === "POST") {
      const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== "application/x-www-form-urlencoded") {
        throw new AppError("unsupported_media_type", "Dashboard forms post application/x-www-form-urlencoded.");
      }
    }
    await next();
  });
}

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The posted form, checked against `schema` (single values only: a repeated field keeps the last). */
export async function readForm<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<FormResult<z.output<T>>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string") fields[name] = value;
  }
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
  };
}

/**
 * Field errors of a client mistake the lib refused (422 validation, 409 conflict), to show beside
 * the form; anything else (a 503 from Redis, a bug) is thrown on to the problem handler.
 */
export function formErrorsOf(error: unknown): FieldError[] {
  if (error instanceof AppError && (error.code === "validation_failed" || error.code === "conflict")) {
    const listed = error.extensions.errors as FieldError[] | undefined;
    return listed && listed.length > 0 ? listed : [{ path: "", message: error.message }];
  }
  throw error;
}

/** The status a page re-rendered with form errors answers: 409 for a conflict, else 422. */
export const formErrorStatus = (error: unknown): 409 | 422 =>
  error instanceof AppError && error.code === "conflict" ? 409 : 422;

/** "url: must be an http(s) URL" lines for a notice. */
export const describeErrors = (errors: FieldError[]): string[] =>
  errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
