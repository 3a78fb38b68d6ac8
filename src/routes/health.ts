import { createRoute, z } from "@hono/zod-openapi";
import { ping } from "../lib/health.ts";
import { createRouter, problemResponse } from "./router.ts";

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness and Redis reachability (one PING)",
  tags: ["health"],
  responses: {
    200: {
      description: "Redis answered",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ok"), redis: z.object({ latencyMs: z.number() }) }),
        },
      },
    },
    503: problemResponse("Redis is unreachable or the Worker is misconfigured"),
  },
});

export const healthRoutes = createRouter().openapi(healthRoute, async (c) => {
  const latencyMs = await ping(c.get("redis"));
  return c.json({ status: "ok" as const, redis: { latencyMs } }, 200, { "cache-control": "no-store" });
});
