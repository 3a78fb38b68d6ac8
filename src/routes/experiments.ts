import { createRoute, z } from "@hono/zod-openapi";
import { assignUnit } from "../lib/experiments/assign.ts";
import { deleteExperiment } from "../lib/experiments/delete-experiment.ts";
import { experimentResults } from "../lib/experiments/experiment-results.ts";
import { getExperiment } from "../lib/experiments/get-experiment.ts";
import { listExperiments } from "../lib/experiments/list-experiments.ts";
import { putExperiment } from "../lib/experiments/put-experiment.ts";
import { recordConversion } from "../lib/experiments/record-conversion.ts";
import {
  assignmentInputSchema,
  conversionInputSchema,
  experimentInputSchema,
  experimentKeySchema,
  experimentSchema,
} from "../lib/experiments/schema.ts";
import { secured } from "../middleware/authorize.ts";
import { createRouter, problemResponse, unauthorizedResponse } from "./router.ts";

const tags = ["experiments"];
const params = z.object({ key: experimentKeySchema });
const noStore = { "cache-control": "no-store" };
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
const unauthorized = unauthorizedResponse;

const putRoute = createRoute({
  method: "put",
  path: "/api/experiments/{key}",
  summary: "Create or replace an experiment (validated whole; stored assignments never move)",
  tags,
  ...secured("experiments:write"),
  request: { params, body: { required: true, content: { "application/json": { schema: experimentInputSchema } } } },
  responses: {
    200: json("The experiment was replaced", experimentSchema),
    201: json("The experiment was created", experimentSchema),
    401: unauthorized,
    409: problemResponse("A variant that already holds units would be removed"),
    422: problemResponse("The experiment is not valid; `errors` lists the fields"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/experiments/{key}",
  summary: "Read one experiment as stored",
  tags,
  ...secured("experiments:read"),
  request: { params },
  responses: {
    200: json("The experiment", experimentSchema),
    401: unauthorized,
    404: problemResponse("No such experiment"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/experiments/{key}",
  summary: "Delete an experiment with its assignments and counters",
  tags,
  ...secured("experiments:write"),
  request: { params },
  responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: problemResponse("No such experiment") },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/experiments",
  summary: "Every experiment, oldest first",
  tags,
  ...secured("experiments:read"),
  responses: {
    200: json("The experiments", z.object({ experiments: z.array(experimentSchema) })),
    401: unauthorized,
  },
});

const comparison = {
  absoluteLift: z.number().nullable(),
  relativeLift: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  z: z.number().nullable(),
  pValue: z.number().nullable(),
};
const resultsSchema = z.object({
  experiment: experimentSchema,
  variants: z.array(
    z.object({
      name: z.string(),
      weight: z.number(),
      control: z.boolean(),
      units: z.number().int(),
      goals: z.record(
        z.string(),
        z.object({ conversions: z.number().int(), rate: z.number().nullable(), valueSum: z.number(), ...comparison }),
      ),
    }),
  ),
  daily: z
    .array(z.object({ day: z.string(), units: z.number().int(), conversions: z.record(z.string(), z.number().int()) }))
    .openapi({
      description:
        "First exposures and conversions per goal per UTC day, oldest first (14 to 60 days, ending on the last day with data)",
    }),
  sampleRatio: z.object({
    chiSquare: z.number(),
    degreesOfFreedom: z.number().int(),
    pValue: z.number(),
    flagged: z.boolean(),
  }),
  method: z.object({ interval: z.string(), test: z.string(), sampleRatio: z.string() }),
});

const resultsRoute = createRoute({
  method: "get",
  path: "/api/experiments/{key}/results",
  summary: "Units, conversions, lift, 95% interval and p-value per variant and goal, with the SRM check",
  tags,
  ...secured("experiments:read"),
  request: { params },
  responses: { 200: json("The results", resultsSchema), 401: unauthorized, 404: problemResponse("No such experiment") },
});

const assignmentRoute = createRoute({
  method: "post",
  path: "/api/experiments/{key}/assignment",
  summary: "Assign a unit to a variant, stickily, counting its first exposure (public; one round trip)",
  tags,
  request: { params, body: { required: true, content: { "application/json": { schema: assignmentInputSchema } } } },
  responses: {
    200: json(
      "The unit's variant",
      z.object({
        variant: z.string(),
        inExperiment: z.boolean(),
        sticky: z.boolean().openapi({ description: "The variant came from the unit's stored assignment" }),
        reason: z.enum(["new", "assigned", "outside_coverage", "draft", "paused", "completed"]),
      }),
    ),
    404: problemResponse("No such experiment"),
    422: problemResponse("The unit id or attributes are not valid"),
    429: problemResponse("Over the rate limit"),
    503: problemResponse("Redis is unreachable"),
  },
});

const conversionRoute = createRoute({
  method: "post",
  path: "/api/experiments/{key}/conversions",
  summary: "Count a unit's conversion on a goal, once, for its stored variant (public)",
  tags,
  request: { params, body: { required: true, content: { "application/json": { schema: conversionInputSchema } } } },
  responses: {
    200: json(
      "Counted, or not because the unit had converted on this goal before",
      z.object({ variant: z.string(), counted: z.boolean() }),
    ),
    404: problemResponse("No such experiment"),
    409: problemResponse("The unit was never assigned, or the experiment is completed"),
    422: problemResponse("The body is not valid, or the goal is not one of the experiment's"),
    429: problemResponse("Over the rate limit"),
    503: problemResponse("Redis is unreachable"),
  },
});

export const experimentRoutes = createRouter()
  .openapi(listRoute, async (c) => c.json({ experiments: await listExperiments(c.get("redis"), c.get("config")) }, 200))
  .openapi(putRoute, async (c) => {
    const { key } = c.req.valid("param");
    const now = c.get("clock").now();
    const { experiment, created } = await putExperiment(c.get("redis"), c.get("config"), now, key, c.req.valid("json"));
    return created ? c.json(experiment, 201) : c.json(experiment, 200);
  })
  .openapi(getRoute, async (c) =>
    c.json(await getExperiment(c.get("redis"), c.get("config"), c.req.valid("param").key), 200),
  )
  .openapi(deleteRoute, async (c) => {
    await deleteExperiment(c.get("redis"), c.get("config"), c.req.valid("param").key);
    return c.body(null, 204);
  })
  .openapi(resultsRoute, async (c) =>
    c.json(await experimentResults(c.get("redis"), c.get("config"), c.req.valid("param").key), 200, noStore),
  )
  .openapi(assignmentRoute, async (c) => {
    const { key } = c.req.valid("param");
    const { unitId } = c.req.valid("json");
    const limit = await c.get("rateLimit").forScript(); // #5: the check runs inside assign.lua
    return c.json(
      await assignUnit(c.get("redis"), c.get("config"), { key, unitId, limit, now: c.get("clock").now() }),
      200,
      noStore,
    );
  })
  .openapi(conversionRoute, async (c) => {
    const { key } = c.req.valid("param");
    const limit = await c.get("rateLimit").forScript(); // #5: the check runs inside convert.lua
    const conversion = await recordConversion(c.get("redis"), c.get("config"), {
      key,
      ...c.req.valid("json"),
      limit,
      now: c.get("clock").now(),
    });
    return c.json(conversion, 200, noStore);
  });
