import { createRoute, z } from "@hono/zod-openapi";
import { HISTORY_LIMIT } from "../lib/flags/audit.ts";
import { deleteFlag } from "../lib/flags/delete-flag.ts";
import { flagHistory } from "../lib/flags/flag-history.ts";
import { getFlag } from "../lib/flags/get-flag.ts";
import { listFlags } from "../lib/flags/list-flags.ts";
import { putFlag } from "../lib/flags/put-flag.ts";
import { flagInputSchema, flagKeySchema, flagSchema } from "../lib/flags/schema.ts";
import { actorOf, secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const params = z.object({ key: flagKeySchema });
const flagBody = (description: string) => ({ description, content: { "application/json": { schema: flagSchema } } });
const auditEntry = z.object({
  at: z.number(),
  actor: z.string(),
  version: z.number(),
  before: flagSchema.nullable(),
  after: flagSchema.nullable(),
});

const putRoute = createRoute({
  method: "put",
  path: "/api/flags/{key}",
  summary: "Create or replace a flag (validated whole; recorded in its history)",
  tags: ["flags"],
  ...secured("flags:write"),
  request: {
    params,
    body: { required: true, content: { "application/json": { schema: flagInputSchema } } },
  },
  responses: {
    200: flagBody("The flag was replaced"),
    201: flagBody("The flag was created"),
    401: unauthorizedResponse,
    422: problemResponse("The flag is not valid; `errors` lists the fields"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/flags/{key}",
  summary: "Read one flag as stored",
  tags: ["flags"],
  ...secured("flags:read"),
  request: { params },
  responses: {
    200: flagBody("The flag"),
    401: unauthorizedResponse,
    404: problemResponse("No such flag"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/flags/{key}",
  summary: "Delete a flag (its history stays)",
  tags: ["flags"],
  ...secured("flags:write"),
  request: { params },
  responses: {
    204: { description: "Deleted" },
    401: unauthorizedResponse,
    404: problemResponse("No such flag"),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/flags",
  summary: "Every flag, sorted by key, with the flag-set version",
  tags: ["flags"],
  ...secured("flags:read"),
  responses: {
    200: {
      description: "The flags",
      content: {
        "application/json": {
          schema: z.object({
            version: z.number().int(),
            flags: z.array(flagSchema),
            unreadable: z.array(z.object({ key: z.string(), details: z.string() })),
          }),
        },
      },
    },
    401: unauthorizedResponse,
  },
});

const historyRoute = createRoute({
  method: "get",
  path: "/api/flags/{key}/history",
  summary: `A flag's audit trail, newest first (the last ${HISTORY_LIMIT} writes)`,
  tags: ["flags"],
  ...secured("flags:read"),
  request: {
    params,
    query: z.object({ limit: z.coerce.number().int().min(1).max(HISTORY_LIMIT).default(HISTORY_LIMIT) }),
  },
  responses: {
    200: {
      description: "The audit entries",
      content: { "application/json": { schema: z.object({ key: z.string(), entries: z.array(auditEntry) }) } },
    },
    401: unauthorizedResponse,
    404: problemResponse("The flag was never written"),
  },
});

export const flagRoutes = createRouter()
  .openapi(putRoute, async (c) => {
    const { key } = c.req.valid("param");
    const actor = actorOf(c);
    const now = c.get("clock").now();
    const { flag, created } = await putFlag(c.get("redis"), c.get("config"), now, key, c.req.valid("json"), actor);
    return created ? c.json(flag, 201) : c.json(flag, 200);
  })
  .openapi(getRoute, async (c) => c.json(await getFlag(c.get("redis"), c.get("config"), c.req.valid("param").key), 200))
  .openapi(deleteRoute, async (c) => {
    const actor = actorOf(c);
    const now = c.get("clock").now();
    await deleteFlag(c.get("redis"), c.get("config"), now, c.req.valid("param").key, actor);
    return c.body(null, 204);
  })
  .openapi(listRoute, async (c) => c.json(await listFlags(c.get("redis"), c.get("config")), 200))
  .openapi(historyRoute, async (c) => {
    const { key } = c.req.valid("param");
    const entries = await flagHistory(c.get("redis"), c.get("config"), key, c.req.valid("query").limit);
    return c.json({ key, entries }, 200);
  });
