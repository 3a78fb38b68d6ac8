import { createRoute, z } from "@hono/zod-openapi";
import { NAME_PATTERN } from "../lib/locks/keys.ts";
import { acquireLock, extendLock, releaseLock } from "../lib/locks/lock.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const params = z.object({
  name: z
    .string()
    .regex(NAME_PATTERN, "use 1-128 of A-Z a-z 0-9 _ . : -")
    .openapi({ param: { name: "name", in: "path" }, example: "nightly-report" }),
});
const ttlMs = z
  .number()
  .int()
  .min(100)
  .max(86_400_000)
  .openapi({ description: "Lease length in ms; it lapses on its own after that" });
const token = z.string().min(1).max(64).openapi({ description: "The token the acquisition answered" });
const Lease = z
  .object({
    token: z.string(),
    fence: z.number().int().openapi({ description: "Rises strictly across acquisitions; send it with every write" }),
    expiresAt: z.number().int().openapi({ description: "Lease deadline, ms since the epoch" }),
  })
  .openapi("Lease");
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;
const invalid = problemResponse("The body or the name fails validation; `errors` lists the fields");
const lost = problemResponse("lease-lost: the token holds no live lease (released, lapsed, or never held)");

const acquireRoute = createRoute({
  ...secured("locks:write"),
  tags: ["locks"],
  path: "/api/locks/{name}",
  method: "post",
  summary: "Acquire a lock, or one of `limit` slots of a semaphore, with a fencing token",
  request: {
    params,
    body: body(
      z
        .strictObject({
          ttlMs,
          owner: z.string().min(1).max(128).openapi({ description: "Who holds it (a label, not a credential)" }),
          limit: z
            .number()
            .int()
            .min(1)
            .max(1000)
            .default(1)
            .openapi({ description: "Holders at once: 1 is a lock, N a semaphore. Use one limit per name." }),
        })
        .openapi("LockAcquire"),
    ),
  },
  responses: {
    201: { description: "Acquired", content: { "application/json": { schema: Lease } } },
    401: unauthorized,
    422: invalid,
    423: problemResponse("Held (every slot): Retry-After and `retryAfterMs` say when the first lease ends"),
  },
});

const extendRoute = createRoute({
  ...secured("locks:write"),
  tags: ["locks"],
  path: "/api/locks/{name}",
  method: "patch",
  summary: "Extend a held lease to ttlMs from now (the holder only); the fence stays",
  request: { params, body: body(z.strictObject({ token, ttlMs }).openapi("LockExtend")) },
  responses: {
    200: { description: "Extended", content: { "application/json": { schema: Lease } } },
    401: unauthorized,
    409: lost,
    422: invalid,
  },
});

const releaseRoute = createRoute({
  ...secured("locks:write"),
  tags: ["locks"],
  path: "/api/locks/{name}",
  method: "delete",
  summary: "Release a held lease (the holder only)",
  request: { params, body: body(z.strictObject({ token }).openapi("LockRelease")) },
  responses: { 204: { description: "Released" }, 401: unauthorized, 409: lost, 422: invalid },
});

export const lockRoutes = createRouter()
  .openapi(acquireRoute, async (c) => {
    const { name } = c.req.valid("param");
    const input = { name, ...c.req.valid("json"), now: c.get("clock").now() };
    return c.json(await acquireLock(c.get("redis"), c.get("config"), input), 201);
  })
  .openapi(extendRoute, async (c) => {
    const { name } = c.req.valid("param");
    const input = { name, ...c.req.valid("json"), now: c.get("clock").now() };
    return c.json(await extendLock(c.get("redis"), c.get("config"), input), 200);
  })
  .openapi(releaseRoute, async (c) => {
    const { name } = c.req.valid("param");
    await releaseLock(c.get("redis"), c.get("config"), { name, ...c.req.valid("json"), now: c.get("clock").now() });
    return c.body(null, 204);
  });
