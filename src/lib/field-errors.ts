import type { ZodError } from "zod";
import type { FieldError } from "./errors.ts";

/** Zod issues as 422 field errors, for validation done in lib code rather than by a route. */
export function fieldErrorsOf(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}
