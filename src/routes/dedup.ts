import { createRoute, z } from "@hono/zod-openapi";
import { bloomSeen } from "../lib/dedup/bloom.ts";
import { claimIds, settleIds } from "../lib/dedup/claim-ids.ts";
import { ID_PATTERN, NAMESPACE_PATTERN } from "../lib/dedup/keys.ts";
import { markSeen } from "../lib/dedup/mark-seen.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

/** The most ids one request may carry. */
export const MAX_IDS = 1000;

const params = z.object({
  namespace: z
    .string()
    .regex(NAMESPACE_PATTERN, "use 1-64 of A-Z a-z 0-9 _ . : -")
    .openapi({ param: { name: "namespace", in: "path" }, example: "stripe-events" }),
});
const ids = z
  .array(z.string().regex(ID_PATTERN, "an id is 1-256 printable ASCII characters, no spaces"))
  .min(1)
  .max(MAX_IDS);
const ttl = z
  .number()
  .int()
  .min(1)
  .max(30 * 86_400)
  .default(86_400)
  .openapi({ description: "Seconds a seen id is remembered (Bloom mode: the length of one generation)" });
const checkBody = z
  .strictObject({
    ids,
    ttl,
    mode: z.enum(["mark", "claim", "bloom"]).default("mark").openapi({
      description:
        "mark: answer and mark seen (exact). claim: first phase of two-phase (ack or release after). bloom: memory-bounded, false positives possible.",
    }),
    claimTtlMs: z
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(30_000)
      .openapi({ description: "claim mode: how long a claim holds before it lapses" }),
    capacity: z
      .number()
      .int()
      .min(1000)
      .max(10_000_000)
      .default(1_000_000)
      .openapi({ description: "bloom mode: ids per generation the filter is sized for" }),
    errorRate: z
      .number()
      .min(0.0001)
      .max(0.1)
      .default(0.01)
      .openapi({ description: "bloom mode: false-positive rate at capacity" }),
  })
  .openapi("DedupCheck");
const settleBody = z.strictObject({ ids, token: z.string().min(1).max(64), ttl }).openapi("DedupSettle");
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = {
  401: unauthorizedResponse,
  422: problemResponse("The body fails validation; `errors` lists the fields"),
};

const checkRoute = createRoute({
  ...secured("dedup:write"),
  tags: ["dedup"],
  method: "post",
  path: "/api/dedup/{namespace}",
  summary: `Which of up to ${MAX_IDS} event ids are new; marks them seen (or claims them)`,
  request: { params, body: { required: true, content: { "application/json": { schema: checkBody } } } },
  responses: {
    200: json(
      z.object({
        new: z.array(z.string()),
        seen: z.array(z.string()),
        inFlight: z.array(z.string()).optional().openapi({ description: "claim mode: claimed by another consumer" }),
        token: z.string().optional().openapi({ description: "claim mode: present it to ack or release" }),
      }),
      "The ids, split; in the order sent",
    ),
    ...errors,
  },
});

const settleRoute = <A extends "ack" | "release">(action: A) =>
  createRoute({
    ...secured("dedup:write"),
    tags: ["dedup"],
    method: "post",
    path: `/api/dedup/{namespace}/${action}` as `/api/dedup/{namespace}/${A}`,
    summary:
      action === "ack"
        ? "Second phase: mark claimed ids seen"
        : "Second phase: give claimed ids back, so a retry claims them",
    request: { params, body: { required: true, content: { "application/json": { schema: settleBody } } } },
    responses: {
      200: json(
        z.object({
          [action === "ack" ? "acked" : "released"]: z.array(z.string()),
          lost: z.array(z.string()).openapi({ description: "ids this token no longer holds a claim on" }),
        }),
        "The ids, split",
      ),
      ...errors,
    },
  });

export const dedupRoutes = createRouter()
  .openapi(checkRoute, async (c) => {
    const { namespace } = c.req.valid("param");
    const body = c.req.valid("json");
    const redis = c.get("redis");
    const config = c.get("config");
    const now = c.get("clock").now();
    const ttlMs = body.ttl * 1000;
    if (body.mode === "claim") {
      return c.json(await claimIds(redis, config, { namespace, ids: body.ids, leaseMs: body.claimTtlMs, now }), 200);
    }
    if (body.mode === "bloom") {
      const { capacity, errorRate } = body;
      return c.json(await bloomSeen(redis, config, { namespace, ids: body.ids, ttlMs, now, capacity, errorRate }), 200);
    }
    return c.json(await markSeen(redis, config, { namespace, ids: body.ids, ttlMs, now }), 200);
  })
  .openapi(settleRoute("ack"), async (c) => {
    const { ids: list, token, ttl: seconds } = c.req.valid("json");
    const input = { namespace: c.req.valid("param").namespace, ids: list, token, ttlMs: seconds * 1000 };
    const { settled, lost } = await settleIds(c.get("redis"), c.get("config"), { ...input, action: "ack" });
    return c.json({ acked: settled, lost }, 200);
  })
  .openapi(settleRoute("release"), async (c) => {
    const { ids: list, token } = c.req.valid("json");
    const input = { namespace: c.req.valid("param").namespace, ids: list, token };
    const { settled, lost } = await settleIds(c.get("redis"), c.get("config"), { ...input, action: "release" });
    return c.json({ released: settled, lost }, 200);
  });
