import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { validationError } from "../lib/errors.ts";
import { type Assignment, assignUnit } from "../lib/experiments/assign.ts";
import { type Conversion, recordConversion } from "../lib/experiments/record-conversion.ts";
import { assignmentInputSchema, conversionInputSchema, EXPERIMENT_KEY } from "../lib/experiments/schema.ts";
import { fieldErrorsOf } from "../lib/field-errors.ts";
import { asHttp } from "./problems.ts";
import { type RedisSource, resolveRedis } from "./redis.ts";

export type { Assignment, Conversion };

export interface ExperimentsOptions {
  redis: RedisSource;
  /** The unit a request is assigned as (default: the session's user id); calls may pass their own. */
  unit?: (c: Context) => string | undefined;
  /** Put before every key, like edgekit's KEY_PREFIX: the same prefix reads the experiments edgekit manages. */
  prefix?: string;
}

/** A request's experiments: `c.get("experiments")`. */
export interface ExperimentClient {
  /** The unit's sticky variant; the first assignment counts an exposure. ONE script. 404 for no such experiment. */
  assign(key: string, unitId?: string): Promise<Assignment>;
  /** Counts the unit's conversion on a goal, once per unit and goal, for its stored variant. */
  convert(key: string, goal: string, options?: { unitId?: string; value?: number }): Promise<Conversion>;
}

export interface ExperimentsVariables {
  experiments: ExperimentClient;
}

/**
 * Puts `assign` and `convert` on `c.get("experiments")`, for the experiments edgekit stores
 * (weighted sticky assignment, exposures, conversions; results in edgekit's API and dashboard).
 *
 * @example
 * app.use(experiments({ redis: redisFromEnv(), unit: (c) => getCookie(c, "visitor") }));
 * app.get("/", async (c) => c.text((await c.get("experiments").assign("hero")).variant));
 */
export function experiments(options: ExperimentsOptions) {
  const config = { KEY_PREFIX: options.prefix ?? "" };
  const unitOf =
    options.unit ??
    ((c: Context) => {
      const userId = (c.get("session") as { userId?: unknown } | undefined)?.userId;
      return typeof userId === "string" ? userId : undefined;
    });
  return createMiddleware<{ Variables: ExperimentsVariables }>(async function experiments(c, next) {
    const redis = resolveRedis(c, options.redis);
    c.set("experiments", {
      assign: (key, unitId) =>
        asHttp(async () => {
          const input = checked(assignmentInputSchema, { unitId: unitId ?? unitOf(c) }, key);
          return assignUnit(redis, config, { key, unitId: input.unitId });
        }),
      convert: (key, goal, more = {}) =>
        asHttp(async () => {
          const input = checked(
            conversionInputSchema,
            { unitId: more.unitId ?? unitOf(c), goal, value: more.value },
            key,
          );
          return recordConversion(redis, config, { key, ...input });
        }),
    });
    await next();
  });
}

function checked<S extends z.ZodType>(schema: S, input: unknown, key: string): z.infer<S> {
  if (!EXPERIMENT_KEY.test(key)) throw validationError([{ path: "key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }]);
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(fieldErrorsOf(result.error));
  return result.data;
}
