/**
 * The leaderboards scripts reply with ONE JSON string (the client does no deserialization, so it
 * arrives as Redis sent it), parsed here on purpose into the outcome shape each script documents.
 * Scores travel as strings inside it: cjson writes numbers with 14 significant digits.
 */
export function decodeJson<T extends { outcome: string }>(reply: unknown): T {
  if (typeof reply !== "string") throw new Error(`leaderboards: expected a JSON string reply, got ${typeof reply}`);
  const parsed = JSON.parse(reply) as unknown;
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { outcome?: unknown }).outcome !== "string") {
    throw new Error("leaderboards: script reply has no outcome");
  }
  return parsed as T;
}
