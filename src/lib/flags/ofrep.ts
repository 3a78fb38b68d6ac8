import type { Evaluation, EvaluationFailure, Resolution } from "./evaluate.ts";

/**
 * OFREP (OpenFeature Remote Evaluation Protocol, open-feature/protocol service/openapi.yaml)
 * bodies. OFREP defines its own error shape, so its routes answer these instead of problem+json.
 */
export type OfrepSuccess = Omit<Resolution, "reason"> & { reason: string };
export type OfrepFailure = { key: string; errorCode: string; errorDetails: string };

/** OFREP `evaluationSuccess`. */
export function ofrepSuccess({ key, value, variant, reason, metadata }: Resolution): OfrepSuccess {
  return { key, value, variant, reason, metadata };
}

/** OFREP `evaluationFailure` / `flagNotFound`: no reason, no metadata. */
export function ofrepFailure({ key, errorCode, errorDetails }: EvaluationFailure): OfrepFailure {
  return { key, errorCode, errorDetails };
}

/** An item of a bulk answer: either of the above. */
export function toOfrep(evaluation: Evaluation): OfrepSuccess | OfrepFailure {
  return evaluation.reason === "ERROR" ? ofrepFailure(evaluation) : ofrepSuccess(evaluation);
}

/** A strong ETag for a response body: the first 128 bits of its SHA-256, hex. */
export async function etagOf(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}

/** RFC 9110 If-None-Match: `*`, or a list of tags compared weakly (W/ ignored). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}
