/**
 * Reads a body up to `max` bytes: `{ body }` when it fits, else `{ overflow }`, a stream of the
 * whole body (the bytes read so far, then the rest), so an oversized response is still served
 * from the one origin request (the gateway), or a body over the limit refused without buffering
 * more than it (`limitBody`).
 */
export async function readUpTo(
  body: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<{ body: Uint8Array; overflow?: undefined } | { body?: undefined; overflow: ReadableStream<Uint8Array> }> {
  if (!body) return { body: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > max) {
      const overflow = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = chunks.shift();
          if (next) return controller.enqueue(next);
          const { done: end, value: more } = await reader.read();
          if (end) controller.close();
          else controller.enqueue(more);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return { overflow };
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body: out };
}
