import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env.ts";
import { evaluateFlag, evaluateFlags } from "../lib/flags/evaluate-flags.ts";
import { etagOf, ifNoneMatchHits, ofrepFailure, ofrepSuccess, toOfrep } from "../lib/flags/ofrep.ts";
import { logServerError, toAppError } from "../middleware/problems.ts";
import { requireJson } from "../middleware/require-json.ts";
import { createRouter } from "./router.ts";

/**
 * OpenFeature Remote Evaluation Protocol (OFREP) core routes, so any OpenFeature SDK with an OFREP
 * provider can use this Worker. Bodies follow open-feature/protocol `service/openapi.yaml`.
 *
 * THE ONE EXCEPTION to problem+json in this API: OFREP defines its own error bodies
 * (`{key, errorCode, errorDetails}`), which providers parse, so everything under /ofrep/ answers in
 * that shape, errors thrown by shared code included (see ofrepError below).
 */

const context = z
  .record(z.string(), z.unknown())
  .optional()
  .openapi({ description: "OpenFeature evaluation context: `targetingKey` and any attributes" });
const evaluationRequest = z.object({ context });
const metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const evaluationSuccess = z
  .object({ key: z.string(), value: z.unknown(), variant: z.string(), reason: z.string(), metadata })
  .openapi("OfrepEvaluationSuccess");
const evaluationFailure = z
  .object({ key: z.string(), errorCode: z.string(), errorDetails: z.string() })
  .openapi("OfrepEvaluationFailure");
const bulkFailure = z.object({ errorCode: z.string(), errorDetails: z.string() }).openapi("OfrepBulkFailure");
const generalError = z.object({ errorDetails: z.string() }).openapi("OfrepGeneralError");
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const serverError = json("Storage unavailable or misconfigured (Retry-After when it is worth retrying)", generalError);

const singleRoute = createRoute({
  method: "post",
  path: "/ofrep/v1/evaluate/flags/{key}",
  summary: "OFREP: evaluate one flag for a context",
  tags: ["flags"],
  request: {
    params: z.object({ key: z.string().max(256) }),
    body: { content: { "application/json": { schema: evaluationRequest } } },
  },
  responses: {
    200: json("The flag's value, variant and reason", evaluationSuccess),
    400: json("INVALID_CONTEXT, TARGETING_KEY_MISSING, PARSE_ERROR or GENERAL", evaluationFailure),
    404: json("FLAG_NOT_FOUND", evaluationFailure),
    500: serverError,
    503: serverError,
  },
});

const bulkRoute = createRoute({
  method: "post",
  path: "/ofrep/v1/evaluate/flags",
  summary: "OFREP: evaluate every flag for a context (ETag; 304 when unchanged)",
  tags: ["flags"],
  request: {
    headers: z.object({ "if-none-match": z.string().max(2048).optional() }),
    body: { content: { "application/json": { schema: evaluationRequest } } },
  },
  responses: {
    200: {
      description: "Every flag, sorted by key: successes and per-flag failures",
      headers: z.object({ etag: z.string() }),
      content: {
        "application/json": { schema: z.object({ flags: z.array(z.union([evaluationSuccess, evaluationFailure])) }) },
      },
    },
    304: { description: "The answer is the one the If-None-Match ETag names" },
    400: json("INVALID_CONTEXT or PARSE_ERROR", bulkFailure),
    500: serverError,
    503: serverError,
  },
});

const router = createRouter();
// Browser SDKs (the OFREP web provider) call from other origins. Evaluation is public and carries
// no cookies, so any origin may call; ETag is exposed so the provider can send If-None-Match.
router.use(
  "/ofrep/*",
  cors({
    origin: "*",
    allowMethods: ["POST", "OPTIONS"],
    allowHeaders: ["Content-Type", "If-None-Match", "Authorization"],
    exposeHeaders: ["ETag"],
    maxAge: 86_400,
  }),
);
router.use("/ofrep/*", requireJson());
router.onError(ofrepError);

export const ofrepRoutes = router
  .openapi(
    singleRoute,
    async (c) => {
      const { key } = c.req.valid("param");
      const { context } = c.req.valid("json");
      const evaluation = await evaluateFlag(c.get("redis"), c.get("config"), c.get("clock").now(), key, context);
      if (evaluation.reason !== "ERROR") return c.json(ofrepSuccess(evaluation), 200);
      const failure = ofrepFailure(evaluation);
      return evaluation.errorCode === "FLAG_NOT_FOUND" ? c.json(failure, 404) : c.json(failure, 400);
    },
    (result, c) => {
      if (!result.success) {
        return c.json(
          { key: c.req.param("key") ?? "", errorCode: "INVALID_CONTEXT", errorDetails: details(result.error) },
          400,
        );
      }
    },
  )
  .openapi(
    bulkRoute,
    async (c) => {
      const { context } = c.req.valid("json");
      const bulk = await evaluateFlags(c.get("redis"), c.get("config"), c.get("clock").now(), context);
      if (!bulk.ok) return c.json({ errorCode: bulk.failure.errorCode, errorDetails: bulk.failure.errorDetails }, 400);
      const body = JSON.stringify({ flags: bulk.flags.map(toOfrep) });
      const etag = await etagOf(body);
      if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { etag });
      return c.body(body, 200, { "content-type": "application/json", etag });
    },
    (result, c) => {
      if (!result.success) return c.json({ errorCode: "INVALID_CONTEXT", errorDetails: details(result.error) }, 400);
    },
  );

function details(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "The request is not valid.";
}

const SINGLE_PATH = /^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/;

/**
 * Errors under /ofrep/ in OFREP's shape: a client's mistake (malformed JSON, not JSON, too large)
 * keeps its status with errorCode PARSE_ERROR; a server-side failure keeps its status (503 with
 * Retry-After when Redis is away) with OFREP's general `{errorDetails}` body.
 */
function ofrepError(error: unknown, c: Context<AppEnv>): Response {
  const appError = toAppError(error);
  const headers = { ...appError.headers, "content-type": "application/json" };
  if (appError.status < 500) {
    // Middleware errors (a 415) come before routing, so the key is read from the path itself.
    const key = SINGLE_PATH.exec(c.req.path)?.[1];
    const body = { ...(key ? { key } : {}), errorCode: "PARSE_ERROR", errorDetails: appError.message };
    return new Response(JSON.stringify(body), { status: appError.status, headers });
  }
  logServerError(appError, c);
  return new Response(JSON.stringify({ errorDetails: appError.message }), { status: appError.status, headers });
}
