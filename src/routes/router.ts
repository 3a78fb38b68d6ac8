import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env.ts";
import { type FieldError, validationError } from "../lib/errors.ts";

/** Zod issues as the `errors` member of a 422 problem: a dotted path and a message per field. */
export function fieldErrors(error: ZodError, target?: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [target === "json" ? "" : target, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
}

/**
 * Every route file builds its routes on this: validation failures become one 422 problem with
 * field errors (never the validator's raw output), and the schemas feed `/openapi.json`.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(fieldErrors(result.error, result.target));
    },
  });
}

/** The problem+json body, for route response schemas in the OpenAPI document. */
export { problemResponse, problemSchema, unauthorizedResponse } from "./problem-schema.ts";
