import { type FieldError, validationError } from "../errors.ts";
import { isReservedName, RESERVED_NAME_HINT } from "../names.ts";
import { type JsonValue, SESSION_LIMITS } from "./session.ts";

const encoder = new TextEncoder();

/**
 * Checks data fields against SESSION_LIMITS and flattens them into script arguments: name, JSON
 * text, ... A `null` value becomes "" (delete the field) when `allowDelete`, and is skipped
 * otherwise. Throws a 422 listing every bad field, before anything is written.
 */
export function dataArgs(data: Record<string, JsonValue>, allowDelete: boolean): string[] {
  const errors: FieldError[] = [];
  const args: string[] = [];
  const names = Object.keys(data);
  if (names.length > SESSION_LIMITS.maxFields) {
    errors.push({ path: "data", message: `At most ${SESSION_LIMITS.maxFields} fields` });
  }
  for (const name of names) {
    const value = data[name];
    if (!SESSION_LIMITS.fieldName.test(name)) {
      errors.push({ path: `data.${name}`, message: "Field names are 1-64 of A-Z a-z 0-9 _ . -" });
      continue;
    }
    if (isReservedName(name)) {
      errors.push({ path: `data.${name}`, message: RESERVED_NAME_HINT });
      continue;
    }
    if (value === null || value === undefined) {
      if (allowDelete) args.push(name, "");
      continue;
    }
    const text = JSON.stringify(value);
    if (encoder.encode(text).length > SESSION_LIMITS.maxValueBytes) {
      errors.push({ path: `data.${name}`, message: `At most ${SESSION_LIMITS.maxValueBytes} bytes as JSON` });
      continue;
    }
    args.push(name, text);
  }
  if (errors.length > 0) throw validationError(errors);
  return args;
}
