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

/** A Redis hash as HGETALL sends it without deserialization: a flat [field, value, ...] list or a record. */
export function hashOf(reply: unknown): Record<string, string> {
  if (reply === null || reply === undefined) return {};
  if (Array.isArray(reply)) {
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
    return record;
  }
  if (typeof reply === "object") {
    return Object.fromEntries(Object.entries(reply as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  throw new Error(`experiments: expected a hash, got ${typeof reply}`);
}
