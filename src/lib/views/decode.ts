/** Decoders for replies that arrive raw (automaticDeserialization is off): strings, integers, null. */

/** A counter as Redis sends it: an integer, a decimal string, or null for a missing key. */
export function toCount(reply: unknown): number {
  if (reply === null || reply === undefined) return 0;
  const value = typeof reply === "number" ? reply : Number(reply);
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`Not a counter: ${String(reply)}`);
  return value;
}

/** An array reply of `length` counters. */
export function toCounts(reply: unknown, length: number): number[] {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new TypeError(`Expected ${length} counters, got ${JSON.stringify(reply)}`);
  }
  return reply.map(toCount);
}
