import { type Flag, type FlagInput, flagInputSchema, toFlag } from "../../../src/lib/flags/schema.ts";

/** A valid boolean flag with no targeting; `overrides` change any field. */
export function booleanFlag(overrides: Partial<Flag> = {}): Flag {
  return {
    key: "new-checkout",
    description: "",
    enabled: true,
    type: "boolean",
    variants: { on: true, off: false },
    defaultVariant: "off",
    allow: [],
    deny: [],
    rules: [],
    salt: "new-checkout",
    updatedAt: 0,
    ...overrides,
  };
}

/** A flag as an admin would PUT it. */
export function flagInput(overrides: Record<string, unknown> = {}): FlagInput {
  return {
    enabled: true,
    type: "boolean",
    variants: { on: true, off: false },
    defaultVariant: "off",
    ...overrides,
  } as FlagInput;
}

/** Validates input the way a PUT does and builds the stored flag. */
export function flagFrom(key: string, input: FlagInput): Flag {
  return toFlag(key, flagInputSchema.parse(input), 0);
}
