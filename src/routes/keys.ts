import { createRoute, z } from "@hono/zod-openapi";
import { KEY_NAME, KEY_NAME_HINT } from "../lib/access/api-key.ts";
import { createKey } from "../lib/access/create-key.ts";
import { listKeys } from "../lib/access/list-keys.ts";
import { revokeKey } from "../lib/access/revoke-key.ts";
import { SCOPES } from "../lib/access/scopes.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["keys"];
const ApiKey = z
  .object({
    id: z.string().openapi({ example: "key_3fX9aQ2mB7kL" }),
    name: z.string(),
    scopes: z.array(z.string()),
    createdBy: z.string().openapi({ description: "admin, key:<name>:<id> or user:<name>" }),
    createdAt: z.number().int(),
    expiresAt: z.number().int().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
    lastUsedAt: z.number().int().nullable().openapi({ description: "Written at most once a minute" }),
    revokedAt: z.number().int().nullable(),
    revokedBy: z.string().nullable(),
  })
  .openapi("ApiKey");
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const forbidden = problemResponse("insufficient-scope: the key lacks the route's scope, or a scope it tries to grant");

const createKeyRoute = createRoute({
  ...secured("keys:write"),
  tags,
  method: "post",
  path: "/api/keys",
  summary: "Create an API key; the secret is in this answer only (Redis keeps its SHA-256)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            name: z.string().regex(KEY_NAME, KEY_NAME_HINT).openapi({ example: "ci-deploy" }),
            scopes: z
              .array(z.string().max(128))
              .min(1)
              .max(64)
              .openapi({
                example: ["links:write", "leaderboards:write:games-*"],
                description: "See GET /api/keys/scopes",
              }),
            expiresAt: z
              .number()
              .int()
              .nullable()
              .optional()
              .openapi({ description: "ms since the epoch; none: never" }),
          }),
        },
      },
    },
  },
  responses: {
    201: json(ApiKey.extend({ secret: z.string().openapi({ example: "ek_…" }) }), "The key, with its secret"),
    401: unauthorizedResponse,
    403: forbidden,
    422: problemResponse("The body fails validation; `errors` lists the fields"),
  },
});

const listKeysRoute = createRoute({
  ...secured("keys:read"),
  tags,
  method: "get",
  path: "/api/keys",
  summary: "Every API key, newest first (never a secret or its hash)",
  responses: { 200: json(z.object({ keys: z.array(ApiKey) }), "The keys"), 401: unauthorizedResponse, 403: forbidden },
});

const scopesRoute = createRoute({
  ...secured("keys:read"),
  tags,
  method: "get",
  path: "/api/keys/scopes",
  summary: "The scope table: every scope a key may hold",
  responses: {
    200: json(z.object({ scopes: z.array(z.object({ scope: z.string(), grants: z.string() })) }), "The scopes"),
    401: unauthorizedResponse,
    403: forbidden,
  },
});

const revokeKeyRoute = createRoute({
  ...secured("keys:write"),
  tags,
  method: "delete",
  path: "/api/keys/{id}",
  summary: "Revoke a key: at once in this isolate, within API_KEYS_CACHE_SECONDS everywhere",
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: {
    200: json(ApiKey, "The revoked key"),
    401: unauthorizedResponse,
    403: forbidden,
    404: problemResponse("No such key"),
  },
});

const scopeList = Object.entries(SCOPES).map(([scope, grants]) => ({ scope, grants }));

export const keyRoutes = createRouter()
  .openapi(createKeyRoute, async (c) => {
    const created = await createKey(
      c.get("redis"),
      c.get("config"),
      c.req.valid("json"),
      c.get("principal"),
      c.get("clock").now(),
    );
    return c.json({ ...created.key, secret: created.secret }, 201, { "cache-control": "no-store" });
  })
  .openapi(listKeysRoute, async (c) =>
    c.json({ keys: await listKeys(c.get("redis"), c.get("config"), c.get("clock").now()) }, 200),
  )
  .openapi(scopesRoute, (c) => c.json({ scopes: scopeList }, 200))
  .openapi(revokeKeyRoute, async (c) =>
    c.json(
      await revokeKey(
        c.get("redis"),
        c.get("config"),
        c.req.valid("param").id,
        c.get("principal"),
        c.get("clock").now(),
      ),
      200,
    ),
  );
