/** A Redis stream id, `ms-seq`. */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Orders two stream ids (negative, 0, positive), numerically: "9-0" comes before "10-0". */
export function compareIds(a: string, b: string): number {
  const [ams = 0n, aseq = 0n] = a.split("-").map(BigInt);
  const [bms = 0n, bseq = 0n] = b.split("-").map(BigInt);
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq !== bseq) return aseq < bseq ? -1 : 1;
  return 0;
}

/**
 * The SSE `id:` of a stream over these channels: the stream id itself for one channel; for several
 * a vector `a=1732-0,b=1730-5` (names URL-encoded, so `,` and `=` never occur in them), since SSE
 * has one Last-Event-ID for the whole connection.
 */
export function encodePosition(channels: readonly string[], positions: ReadonlyMap<string, string>): string {
  if (channels.length === 1) return positions.get(channels[0] ?? "") ?? "0-0";
  return channels.map((channel) => `${encodeURIComponent(channel)}=${positions.get(channel) ?? "0-0"}`).join(",");
}

/**
 * A Last-Event-ID (or `?last=`) read back: the position per channel, or `"invalid"` when it is not
 * one `encodePosition` could have written. Channels missing from a vector start fresh.
 */
export function decodePosition(channels: readonly string[], value: string): Map<string, string> | "invalid" {
  const positions = new Map<string, string>();
  if (STREAM_ID.test(value)) {
    if (channels.length !== 1) return "invalid";
    positions.set(channels[0] ?? "", value);
    return positions;
  }
  for (const part of value.split(",")) {
    const eq = part.lastIndexOf("=");
    if (eq <= 0) return "invalid";
    const id = part.slice(eq + 1);
    let channel: string;
    try {
      channel = decodeURIComponent(part.slice(0, eq));
    } catch {
      return "invalid";
    }
    if (!STREAM_ID.test(id)) return "invalid";
    if (channels.includes(channel)) positions.set(channel, id);
  }
  return positions;
}
