/**
 * The OpenFeature evaluation context a client sends: `{targetingKey?, ...attributes}`. Checked here,
 * once per request, so evaluation itself can trust it. A context that fails is INVALID_CONTEXT.
 */
export type EvaluationContext = Readonly<Record<string, unknown>> & { readonly targetingKey?: string };

export const CONTEXT_LIMITS = {
  attributes: 100,
  attributeName: 128,
  targetingKey: 256,
  stringValue: 1024,
} as const;

export type ContextCheck = { ok: true; context: EvaluationContext } | { ok: false; details: string };

/**
 * Validates a context from the wire. A missing context is an empty one; attribute values may be
 * any JSON, but strings are bounded, and `targetingKey`, when present, is a non-empty string.
 *
 * @example
 * checkContext({ targetingKey: "user-1", country: "DE" }) // { ok: true, context: {...} }
 * checkContext({ targetingKey: 42 })                      // { ok: false, details: "..." }
 */
export function checkContext(input: unknown): ContextCheck {
  if (input === undefined || input === null) return { ok: true, context: {} };
  if (typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, details: "context must be a JSON object" };
  }
  const entries = Object.entries(input);
  if (entries.length > CONTEXT_LIMITS.attributes) {
    return { ok: false, details: `context may hold at most ${CONTEXT_LIMITS.attributes} attributes` };
  }
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > CONTEXT_LIMITS.attributeName) {
      return { ok: false, details: `attribute names must have 1 to ${CONTEXT_LIMITS.attributeName} characters` };
    }
    if (typeof value === "string" && value.length > CONTEXT_LIMITS.stringValue) {
      return { ok: false, details: `${name} is longer than ${CONTEXT_LIMITS.stringValue} characters` };
    }
  }
  const targetingKey = (input as Record<string, unknown>).targetingKey;
  if (targetingKey !== undefined) {
    if (typeof targetingKey !== "string" || targetingKey.length === 0) {
      return { ok: false, details: "targetingKey must be a non-empty string" };
    }
    if (targetingKey.length > CONTEXT_LIMITS.targetingKey) {
      return { ok: false, details: `targetingKey is longer than ${CONTEXT_LIMITS.targetingKey} characters` };
    }
  }
  return { ok: true, context: input as EvaluationContext };
}
