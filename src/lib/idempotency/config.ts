import { z } from "zod";

/** How one route treats `Idempotency-Key`. */
export interface RouteSettings {
  /** A request without the key is a 400 problem (default: the key is optional). */
  required: boolean;
  /** With Redis unreachable, run the handler unprotected instead of answering 503 (default: no). */
  failOpen: boolean;
}

export type IdempotencyRoutes = Record<string, RouteSettings>;

const routeSchema = z.strictObject({ required: z.boolean().optional(), failOpen: z.boolean().optional() });
const ROUTE = /^(POST|PATCH|DELETE) \/\S*$/;

/**
 * IDEMPOTENCY_ROUTES: a JSON object from `"METHOD /pattern"` (as the OpenAPI document writes it)
 * to `{"required": true}` and/or `{"failOpen": true}`.
 *
 * @example IDEMPOTENCY_ROUTES='{"POST /api/links":{"required":true},"POST /api/views/{page}":{"failOpen":true}}'
 */
export const idempotencyRoutesSchema = z
  .unknown()
  .optional()
  .transform((raw, ctx): IdempotencyRoutes => {
    let value: unknown = raw ?? {};
    if (typeof raw === "string") {
      try {
        value = raw.trim() === "" ? {} : JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: "IDEMPOTENCY_ROUTES is not valid JSON" });
        return z.NEVER;
      }
    }
    const result = z
      .record(z.string().regex(ROUTE, 'must read "POST|PATCH|DELETE /path"'), routeSchema)
      .safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const where = issue.path.map(String).join(".");
        ctx.addIssue({ code: "custom", message: `IDEMPOTENCY_ROUTES${where ? `.${where}` : ""}: ${issue.message}` });
      }
      return z.NEVER;
    }
    return Object.fromEntries(
      Object.entries(result.data).map(([route, settings]) => [
        route,
        { required: settings.required ?? false, failOpen: settings.failOpen ?? false },
      ]),
    );
  });
