import type { OpenAPIHono } from "@hono/zod-openapi";

type Document = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;
type Operation = {
  parameters?: unknown[];
  responses?: Record<string, { headers?: Record<string, unknown>; [field: string]: unknown }>;
};

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

/**
 * The `Idempotency-Key` middleware (src/middleware/idempotency.ts) serves every POST, PATCH and
 * DELETE under /api without each route declaring it; this adds it to the generated document
 * (`liveOpenApiDocument` in src/openapi.ts): the request header, `Idempotent-Replayed` on success
 * responses, and its problem responses.
 */
export function withIdempotency(document: Document): Document {
  document.components ??= {};
  const components = document.components;
  components.parameters = {
    ...components.parameters,
    IdempotencyKey: {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes a retry safe: the first request with a key runs, every retry with the same key and request gets its stored answer (24 h by default). 1-255 printable characters, as a Structured-Field string or a bare token; scoped to the caller. Required on routes IDEMPOTENCY_ROUTES marks `required`.",
      schema: { type: "string", minLength: 1, maxLength: 257, example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"' },
    },
  };
  components.headers = {
    ...components.headers,
    IdempotentReplayed: {
      description: "`true` on a replay of a stored answer to an earlier request with the same Idempotency-Key.",
      schema: { type: "string", enum: ["true"] },
    },
  };
  const extra = {
    400: problem("A malformed Idempotency-Key, two of them, or none where one is required"),
    409: problem("A request with this Idempotency-Key is still in progress (Retry-After), or this one lost its claim"),
    410: problem("The Idempotency-Key's stored answer has expired (key-expired); use a new key"),
    422: problem(
      "The Idempotency-Key was used for another request (idempotency-key-reused), or the body fails validation",
    ),
    503: problem("Storage unavailable: with an Idempotency-Key the request is not run"),
  };
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!path.startsWith("/api/")) continue;
    for (const method of ["post", "patch", "delete"] as const) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      operation.parameters = [...(operation.parameters ?? []), { $ref: "#/components/parameters/IdempotencyKey" }];
      operation.responses ??= {};
      const responses = operation.responses;
      for (const [status, response] of Object.entries(responses)) {
        if (status.startsWith("2")) {
          response.headers = {
            ...response.headers,
            "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" },
          };
        }
      }
      for (const [status, response] of Object.entries(extra)) responses[status] ??= response;
    }
  }
  return document;
}
