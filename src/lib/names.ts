import type { z } from "zod";

/**
 * Names a user gives (variants, goals, data fields, periods) become property names of plain
 * objects somewhere: in JSON bodies, in zod's output, in lookups. These three are refused
 * everywhere, because a plain object already answers to them: `__proto__` is silently dropped or
 * rewires the prototype, `constructor` finds a function, `prototype` means one on a function.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export const RESERVED_NAME_HINT = "__proto__, constructor and prototype are reserved names";

export const isReservedName = (name: string): boolean => RESERVED_NAMES.has(name);

/** `record[name]` when `name` is the record's own property, else undefined (never an inherited one). */
export function ownValue<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Adds an issue for each reserved name among a raw object's own keys, before a zod record schema
 * builds its output (where `__proto__` would vanish without a word). For `z.preprocess`.
 */
export function refuseReservedKeys(raw: unknown, ctx: z.RefinementCtx): unknown {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    for (const name of RESERVED_NAMES) {
      if (Object.hasOwn(raw, name)) ctx.addIssue({ code: "custom", path: [name], message: RESERVED_NAME_HINT });
    }
  }
  return raw;
}
