import { validationError } from "./errors.ts";

/**
 * Refuses (a 422 at `path`) a value whose JSON text is over `max` bytes: the limits on the free
 * JSON a caller attaches (channel event data, notification data, presence info), checked the same
 * way by the HTTP routes and the RPC methods.
 */
export function limitJsonBytes(value: unknown, max: number, path: string): void {
  if (new TextEncoder().encode(JSON.stringify(value ?? null)).length > max) {
    throw validationError([{ path, message: `at most ${max} bytes as JSON` }]);
  }
}
