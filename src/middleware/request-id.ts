import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import type { AppEnv } from "../env.ts";

/** Longest client-sent X-Request-Id echoed back; a longer one is replaced by a fresh UUID. */
export const MAX_REQUEST_ID = 64;

/**
 * Hono's `requestId()`, held to at most MAX_REQUEST_ID characters of `A-Z a-z 0-9 _ - =` (any
 * other client value is replaced by a UUID before it is echoed or logged), and put on every
 * response: problem responses are built apart from the context and would go out without it.
 */
export function requestIds() {
  const assign = requestId({ limitLength: MAX_REQUEST_ID });
  return createMiddleware<AppEnv>(async function requestIds(c, next) {
    await assign(c, next);
    if (c.res.headers.has("x-request-id")) return;
    try {
      c.res.headers.set("x-request-id", c.get("requestId"));
    } catch {
      // Immutable headers (a Response passed through from fetch): copy it once.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("x-request-id", c.get("requestId"));
    }
  });
}
