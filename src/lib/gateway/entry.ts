/**
 * A stored response: its body as base64 (gzipped above the route's threshold, with
 * CompressionStream) in the entry's value, and its metadata as JSON in the entry's `m` field.
 */
export interface StoredResponse {
  status: number;
  /** Headers as stored: no hop-by-hop, cache-only, Age or (stripped) Set-Cookie fields. */
  headers: [string, string][];
  /** When it was stored or last revalidated (ms), and the Age it arrived with (s). */
  storedAt: number;
  initialAge: number;
  /** Shared caches may use it for requests with Authorization. */
  shareable: boolean;
  /** The body is gzipped. */
  gzip: boolean;
}

export function encodeMeta(meta: StoredResponse): string {
  return JSON.stringify(meta);
}

export function decodeMeta(text: string): StoredResponse | undefined {
  try {
    const meta = JSON.parse(text) as StoredResponse;
    return typeof meta.status === "number" && Array.isArray(meta.headers) ? meta : undefined;
  } catch {
    return undefined;
  }
}

export async function encodeBody(body: Uint8Array, compress: boolean): Promise<string> {
  const bytes = compress ? await transform(body, new CompressionStream("gzip")) : body;
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function decodeBody(value: string, gzip: boolean): Promise<Uint8Array> {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return gzip ? transform(bytes, new DecompressionStream("gzip")) : bytes;
}

async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const source = new Response(bytes as unknown as BodyInit).body as ReadableStream<Uint8Array>;
  const out = new Response(source.pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * Reads a body up to `max` bytes: `{ body }` when it fits, else `{ overflow }`, a stream of the
 * whole body (the bytes read so far, then the rest), so an oversized response is still served
 * from the one origin request.
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
