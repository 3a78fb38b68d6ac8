import { createRoute, z } from "@hono/zod-openapi";
import { getQuota, identifierSchema, POLICY_NAMES, resetQuota } from "../lib/ratelimit/index.ts";
import { ALGORITHMS } from "../lib/ratelimit/policies.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const params = z.object({
  identifier: identifierSchema.openapi({
    param: { name: "identifier", in: "path" },
    description: "admin, user:<id> or ip:<address> (URL-encoded; IPv6 as its /64)",
    example: "ip:203.0.113.9",
  }),
});

const quotaSchema = z
  .object({
    identifier: z.string(),
    policies: z.array(
      z.object({
        policy: z.enum(POLICY_NAMES),
        algorithm: z.enum(ALGORITHMS),
        limit: z.number().int(),
        window: z.number().int().describe("seconds"),
        remaining: z.number().int(),
        reset: z.number().int().describe("seconds until the quota resets"),
      }),
    ),
  })
  .openapi("RateLimitQuota");

const errors = {
  401: unauthorizedResponse,
  422: problemResponse("The identifier is malformed"),
  503: problemResponse("Redis is unreachable"),
};

const getQuotaRoute = createRoute({
  method: "get",
  path: "/api/ratelimit/{identifier}",
  summary: "Remaining quota of a client under every policy, without spending any",
  tags: ["rate limits"],
  ...secured("ratelimit:read"),
  request: { params },
  responses: {
    200: { description: "Quota per policy", content: { "application/json": { schema: quotaSchema } } },
    ...errors,
  },
});

const resetQuotaRoute = createRoute({
  method: "delete",
  path: "/api/ratelimit/{identifier}",
  summary: "Give a client its full quota back under every policy",
  tags: ["rate limits"],
  ...secured("ratelimit:write"),
  request: { params },
  responses: { 204: { description: "Reset" }, ...errors },
});

export const rateLimitRoutes = createRouter()
  .openapi(getQuotaRoute, async (c) => {
    const { identifier } = c.req.valid("param");
    const policies = await getQuota(c.get("redis"), c.get("config"), identifier, Date.now());
    return c.json({ identifier, policies }, 200, { "cache-control": "no-store" });
  })
  .openapi(resetQuotaRoute, async (c) => {
    const { identifier } = c.req.valid("param");
    await resetQuota(c.get("redis"), c.get("config"), identifier, Date.now());
    return c.body(null, 204);
  });
