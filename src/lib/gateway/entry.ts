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
