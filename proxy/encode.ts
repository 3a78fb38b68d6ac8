/**
 * Turns an ioredis reply (read with callBuffer, so bulk strings are Buffers) into the JSON value
 * Upstash returns. With base64 every string is encoded at every depth except a plain "OK":
 * ioredis cannot tell a status reply from a bulk string, and @upstash/redis leaves "OK" undecoded
 * while base64-decoding everything else, so this is exactly what the client reads back.
 */
export function encodeReply(reply: unknown, base64: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (Buffer.isBuffer(reply)) {
    if (!base64) return reply.toString("utf8");
    return isOk(reply) ? "OK" : reply.toString("base64");
  }
  if (typeof reply === "string") {
    if (!base64 || reply === "OK") return reply;
    return Buffer.from(reply, "utf8").toString("base64");
  }
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  // An error nested in an array (a Lua table holding an error reply): keep its message readable.
  if (reply instanceof Error) return reply.message;
  return String(reply);
}

function isOk(buffer: Buffer): boolean {
  return buffer.length === 2 && buffer[0] === 0x4f && buffer[1] === 0x4b;
}
