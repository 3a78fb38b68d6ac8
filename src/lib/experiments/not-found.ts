import { AppError } from "../errors.ts";

/** The 404 every experiments operation answers for a key that names no experiment. */
export function notFound(key: string): AppError {
  return new AppError("not_found", `No experiment "${key}". Create it with PUT /api/experiments/${key}.`);
}
