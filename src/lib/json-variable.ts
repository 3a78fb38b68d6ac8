import { z } from "zod";

/**
 * A configuration variable holding JSON (an empty or missing value is `{}`), checked against
 * `schema`; every issue is reported with the variable's name and the path inside it, e.g.
 * `RATE_LIMITS.default.limit: Too small`, so the 503 config problem says what to fix.
 *
 * @example const rateLimitsSchema = jsonVariable("RATE_LIMITS", overridesSchema).transform(merge);
 */
export function jsonVariable<T>(name: string, schema: z.ZodType<T>) {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx): T => {
      let value: unknown = raw ?? {};
      if (typeof raw === "string") {
        try {
          value = raw.trim() === "" ? {} : JSON.parse(raw);
        } catch {
          ctx.addIssue({ code: "custom", message: `${name} is not valid JSON` });
          return z.NEVER;
        }
      }
      const result = schema.safeParse(value);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const where = issue.path.map(String).join(".");
          ctx.addIssue({ code: "custom", message: `${name}${where ? `.${where}` : ""}: ${issue.message}` });
        }
        return z.NEVER;
      }
      return result.data;
    });
}
