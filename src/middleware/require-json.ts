import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";

/**
 * API bodies are JSON. Without this, a form-encoded body would reach the validator as `{}` and come
 * back as a confusing list of missing fields instead of a 415.
 */
export function requireJson() {
  return createMiddleware<AppEnv>(async function requireJson(c, next) {
    const hasBody = c.req.header("content-length") !== "0" && c.req.raw.body !== null;
    if (["POST", "PUT", "PATCH"].includes(c.req.method) && hasBody) {
      const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (type !== "application/json" && !type.endsWith("+json")) {
        throw new AppError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
      }
    }
    await next();
  });
}
