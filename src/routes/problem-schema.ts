import { z } from "@hono/zod-openapi";

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** A response entry for `createRoute({ responses })`. */
export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** The 401 of every secured route: `authorize()` refuses a missing, unknown, expired or revoked credential. */
export const unauthorizedResponse = problemResponse(
  "No usable API key or ADMIN_TOKEN (missing, unknown, expired or revoked)",
);
