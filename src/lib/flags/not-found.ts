import { AppError } from "../errors.ts";

/** The admin API's 404 for a flag key (OFREP answers its own FLAG_NOT_FOUND body instead). */
export function flagNotFound(key: string): AppError {
  return new AppError("not_found", `There is no flag "${key}".`);
}
