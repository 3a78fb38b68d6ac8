import { z } from "zod";
import { isReservedName, RESERVED_NAME_HINT } from "../names.ts";

/**
 * The shape of an experiment, validated whole on every write so that a bad definition never
 * reaches Redis (the Lua scripts trust what they read back).
 */

/** Experiment keys: what enters the Redis keys (no braces, so the hash tag stays one tag). */
export const EXPERIMENT_KEY = /^[A-Za-z0-9_.-]{1,128}$/;
export const experimentKeySchema = z.string().regex(EXPERIMENT_KEY, "use 1 to 128 of A-Z a-z 0-9 _ . -");

/** Variant and goal names: no ":" (they are joined with ":" in hash fields and set members). */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const nameSchema = z
  .string()
  .regex(NAME, "use 1 to 64 of A-Z a-z 0-9 _ -")
  .refine((name) => !isReservedName(name), RESERVED_NAME_HINT);

export const STATUSES = ["draft", "running", "paused", "completed"] as const;
export type Status = (typeof STATUSES)[number];

export const LIMITS = { variants: 10, goals: 20, salt: 128, unitId: 256, attributes: 50 } as const;

const unique = (names: string[]) => new Set(names).size === names.length;

const variantSchema = z.strictObject({
  name: nameSchema,
  weight: z.number().positive("must be > 0").max(1_000_000),
});

export const experimentInputSchema = z
  .strictObject({
    variants: z
      .array(variantSchema)
      .min(2, "at least 2 variants")
      .max(LIMITS.variants, `at most ${LIMITS.variants} variants`)
      .refine((variants) => unique(variants.map((v) => v.name)), "variant names must be unique")
      .describe("The first variant is the control"),
    coverage: z.number().min(0).max(1).default(1).describe("Share of units that enter (0..1)"),
    status: z.enum(STATUSES).default("draft"),
    winner: nameSchema.optional().describe("A variant name; required when status is completed"),
    salt: z.string().min(1).max(LIMITS.salt).optional().describe("Bucketing salt; defaults to the experiment key"),
    goals: z
      .array(nameSchema)
      .min(1, "at least 1 goal")
      .max(LIMITS.goals, `at most ${LIMITS.goals} goals`)
      .refine(unique, "goal names must be unique"),
  })
  .superRefine((input, ctx) => {
    if (input.winner !== undefined && !input.variants.some((v) => v.name === input.winner)) {
      ctx.addIssue({ code: "custom", path: ["winner"], message: "must be one of the variants" });
    }
    if (input.status === "completed" && input.winner === undefined) {
      ctx.addIssue({ code: "custom", path: ["winner"], message: "is required when status is completed" });
    }
  });

export type ExperimentInput = z.input<typeof experimentInputSchema>;

/** A stored experiment: the validated input with defaults filled in and the salt settled. */
export interface Definition {
  key: string;
  variants: { name: string; weight: number }[];
  coverage: number;
  status: Status;
  winner?: string;
  salt: string;
  goals: string[];
}

export interface Experiment extends Definition {
  createdAt: number;
  updatedAt: number;
}

export const experimentSchema = z.object({
  key: z.string(),
  variants: z.array(z.object({ name: z.string(), weight: z.number() })),
  coverage: z.number(),
  status: z.enum(STATUSES),
  winner: z.string().optional(),
  salt: z.string(),
  goals: z.array(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const attributeValue = z.union([z.string().max(256), z.number(), z.boolean()]);

export const assignmentInputSchema = z.strictObject({
  unitId: z.string().min(1).max(LIMITS.unitId),
  attributes: z
    .record(z.string().max(64), attributeValue)
    .refine((a) => Object.keys(a).length <= LIMITS.attributes, `at most ${LIMITS.attributes} attributes`)
    .optional()
    .describe("Accepted and validated; not used for targeting yet, and never stored"),
});

export const conversionInputSchema = z.strictObject({
  unitId: z.string().min(1).max(LIMITS.unitId),
  goal: nameSchema,
  value: z.number().min(-1e12).max(1e12).optional().describe("Summed per variant and goal"),
});
