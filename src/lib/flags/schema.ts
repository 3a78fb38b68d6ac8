import { z } from "zod";
import { isReservedName, RESERVED_NAME_HINT, refuseReservedKeys } from "../names.ts";
import { parseSemver } from "./semver.ts";

/**
 * The shape of a flag, validated on every write so that a bad flag never reaches Redis. The same
 * schema re-checks what is read back, so a hand-edited hash field shows up as a PARSE_ERROR for that
 * flag instead of breaking every evaluation.
 */

/** Flag keys: what enters the Redis hash field and the history key. */
export const FLAG_KEY = /^[A-Za-z0-9_.-]{1,128}$/;
export const flagKeySchema = z.string().regex(FLAG_KEY, "use 1 to 128 of A-Z a-z 0-9 _ . -");

export const FLAG_TYPES = ["boolean", "string", "number", "object"] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

export const OPERATORS = [
  "in",
  "not_in",
  "equals",
  "starts_with",
  "ends_with",
  "contains",
  "gt",
  "lt",
  "semver_gt",
  "semver_lt",
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Limits on every list and string, so one flag stays well under the 1 MiB body limit. */
export const LIMITS = {
  variants: 50,
  stringValue: 4096,
  objectValueBytes: 16_384,
  description: 1000,
  ids: 10_000,
  idLength: 256,
  rules: 50,
  ruleValues: 1000,
  ruleValueLength: 256,
  salt: 128,
} as const;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_HINT = "use 1 to 64 of A-Z a-z 0-9 _ . -";
const nameSchema = z
  .string()
  .regex(NAME, NAME_HINT)
  .refine((name) => !isReservedName(name), RESERVED_NAME_HINT);
const idSchema = z.string().min(1).max(LIMITS.idLength);
const idListSchema = z
  .array(idSchema)
  .max(LIMITS.ids, `at most ${LIMITS.ids} ids`)
  .default([])
  .refine((ids) => new Set(ids).size === ids.length, "ids must be unique");

const ruleSchema = z.strictObject({
  attribute: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "use 1 to 128 of A-Z a-z 0-9 _ . -"),
  operator: z.enum(OPERATORS),
  values: z
    .array(z.union([z.string().max(LIMITS.ruleValueLength), z.number()]))
    .min(1)
    .max(LIMITS.ruleValues),
  variant: nameSchema,
});
export type Rule = z.infer<typeof ruleSchema>;

const percentageSchema = z
  .number()
  .min(0)
  .max(100)
  .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, "use at most two decimals");

/** What an admin sends in `PUT /api/flags/{key}` (the key comes from the path). */
export const flagInputSchema = z
  .strictObject({
    description: z.string().max(LIMITS.description).default(""),
    enabled: z.boolean(),
    type: z.enum(FLAG_TYPES),
    // Names are checked in checkReferences: a record key schema would only say "Invalid key in record".
    variants: z.preprocess(
      refuseReservedKeys,
      z.record(z.string(), z.unknown()).refine((v) => Object.keys(v).length >= 1, "define at least one variant"),
    ),
    defaultVariant: nameSchema,
    rollout: z.strictObject({ percentage: percentageSchema, variant: nameSchema }).optional(),
    allow: idListSchema,
    deny: idListSchema,
    rules: z.array(ruleSchema).max(LIMITS.rules, `at most ${LIMITS.rules} rules`).default([]),
    salt: z.string().min(1).max(LIMITS.salt).optional(),
  })
  .superRefine(checkReferences);

export type FlagInput = z.input<typeof flagInputSchema>;
type ParsedInput = z.output<typeof flagInputSchema>;

/** A stored flag: the input with its key, its salt filled in, and when it was last written. */
export const flagSchema = z.strictObject({
  key: flagKeySchema,
  description: z.string().max(LIMITS.description),
  enabled: z.boolean(),
  type: z.enum(FLAG_TYPES),
  variants: z.record(nameSchema, z.unknown()),
  defaultVariant: nameSchema,
  rollout: z.strictObject({ percentage: percentageSchema, variant: nameSchema }).optional(),
  allow: z.array(idSchema).max(LIMITS.ids),
  deny: z.array(idSchema).max(LIMITS.ids),
  rules: z.array(ruleSchema).max(LIMITS.rules),
  salt: z.string().min(1).max(LIMITS.salt),
  updatedAt: z.number().int(),
});
export type Flag = z.infer<typeof flagSchema>;

/** Builds the stored flag from validated input: the salt defaults to the key. */
export function toFlag(key: string, input: ParsedInput, now: number): Flag {
  return { key, ...input, salt: input.salt ?? key, updatedAt: now };
}

/** True when `value` is a valid value for a flag of `type`. */
export function valueMatchesType(type: FlagType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string" && value.length <= LIMITS.stringValue;
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return (
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        JSON.stringify(value).length <= LIMITS.objectValueBytes
      );
  }
}

const TYPE_HINT: Record<FlagType, string> = {
  boolean: "true or false",
  string: `a string of at most ${LIMITS.stringValue} characters`,
  number: "a finite number",
  object: `a JSON object of at most ${LIMITS.objectValueBytes} bytes`,
};

const NUMERIC_OPERATORS: ReadonlySet<Operator> = new Set(["gt", "lt"]);
const SEMVER_OPERATORS: ReadonlySet<Operator> = new Set(["semver_gt", "semver_lt"]);

/** Cross-field checks: values match the type, every referenced variant exists, rule values fit their operator. */
function checkReferences(flag: ParsedInput, ctx: z.RefinementCtx): void {
  const variants = Object.keys(flag.variants);
  if (variants.length > LIMITS.variants) {
    ctx.addIssue({ code: "custom", path: ["variants"], message: `at most ${LIMITS.variants} variants` });
  }
  for (const [name, value] of Object.entries(flag.variants)) {
    if (!NAME.test(name) || isReservedName(name)) {
      const message = NAME.test(name) ? RESERVED_NAME_HINT : NAME_HINT;
      ctx.addIssue({ code: "custom", path: ["variants", name], message });
    } else if (!valueMatchesType(flag.type, value)) {
      ctx.addIssue({
        code: "custom",
        path: ["variants", name],
        message: `a ${flag.type} flag's variants must be ${TYPE_HINT[flag.type]}`,
      });
    }
  }
  const known = (variant: string, path: (string | number)[]) => {
    if (!Object.hasOwn(flag.variants, variant)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `variant "${variant}" is not defined in variants (${variants.join(", ")})`,
      });
    }
  };
  known(flag.defaultVariant, ["defaultVariant"]);
  if (flag.rollout) known(flag.rollout.variant, ["rollout", "variant"]);
  if (flag.allow.length > 0 && !flag.rollout) {
    ctx.addIssue({
      code: "custom",
      path: ["allow"],
      message: "allowed ids get rollout.variant: set a rollout (percentage 0 lets in only the allow list)",
    });
  }
  flag.rules.forEach((rule, i) => {
    known(rule.variant, ["rules", i, "variant"]);
    rule.values.forEach((value, j) => {
      const path = ["rules", i, "values", j];
      if (NUMERIC_OPERATORS.has(rule.operator) && typeof value !== "number") {
        ctx.addIssue({ code: "custom", path, message: `${rule.operator} compares numbers: use a number` });
      } else if (SEMVER_OPERATORS.has(rule.operator) && (typeof value !== "string" || !parseSemver(value))) {
        ctx.addIssue({ code: "custom", path, message: `${rule.operator} needs a semantic version like "1.2.3"` });
      }
    });
  });
}
