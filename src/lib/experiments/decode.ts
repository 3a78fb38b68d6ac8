/**
 * The experiments scripts reply with ONE JSON string (the client does no deserialization, so it
 * arrives as Redis sent it). Parsed here, on purpose, into the outcome shape each script documents.
 */
export function decodeOutcome<T extends { outcome: string }>(reply: unknown): T {
  if (typeof reply !== "string") throw new Error(`experiments: expected a JSON string reply, got ${typeof reply}`);
  const parsed = JSON.parse(reply) as unknown;
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { outcome?: unknown }).outcome !== "string") {
    throw new Error("experiments: script reply has no outcome");
  }
  return parsed as T;
}
