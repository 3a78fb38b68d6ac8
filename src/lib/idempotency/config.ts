import { z } from "zod";
import { jsonVariable } from "../json-variable.ts";

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
export const idempotencyRoutesSchema = jsonVariable(
  "IDEMPOTENCY_ROUTES",
  z.record(z.string().regex(ROUTE, 'must read "POST|PATCH|DELETE /path"'), routeSchema),
).transform(
  (routes): IdempotencyRoutes =>
    Object.fromEntries(
      Object.entries(routes).map(([route, settings]) => [
        route,
        { required: settings.required ?? false, failOpen: settings.failOpen ?? false },
      ]),
    ),
);
