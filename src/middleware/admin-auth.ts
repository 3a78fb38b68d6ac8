import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/;

/**
 * Requires `Authorization: Bearer <ADMIN_TOKEN>`. The compare is constant-time (both sides are
 * hashed first, so neither content nor length leaks through timing).
 *
 * @example
 * createRoute({ ..., security: [{ bearerAuth: [] }], middleware: [adminAuth()] })
 */
export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuth(c, next) {
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match?.[1] || !(await timingSafeEqual(match[1], c.get("config").ADMIN_TOKEN))) {
      throw new AppError("unauthorized", "This route needs `Authorization: Bearer <ADMIN_TOKEN>`.", {
        headers: { "www-authenticate": 'Bearer realm="edgekit"' },
      });
    }
    await next();
  });
}

/** True when the request carries the admin token (for routes that are public but say more to admins). */
export async function isAdmin(authorization: string | undefined, adminToken: string): Promise<boolean> {
  const match = BEARER.exec(authorization ?? "");
  return Boolean(match?.[1] && (await timingSafeEqual(match[1], adminToken)));
}
