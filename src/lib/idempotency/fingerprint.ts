/** What the fingerprint of a request covers. */
export interface FingerprintInput {
  method: string;
  /** The request's path, parameters included (`/api/links/abc`): another route is another request. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: ArrayBuffer;
}

const encoder = new TextEncoder();

/**
 * SHA-256 (hex) over the method, the path, the query with its parameters sorted (so `?a=1&b=2`
 * and `?b=2&a=1` are one request), the content type lowercased without spaces, and the body's
 * bytes. The same key with another fingerprint is a 422: the client reused a key.
 */
export async function fingerprint(input: FingerprintInput): Promise<string> {
  const query = [...input.query.entries()]
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&");
  const contentType = (input.contentType ?? "").toLowerCase().replace(/\s+/g, "");
  const head = encoder.encode(`${input.method.toUpperCase()}\n${input.path}\n${query}\n${contentType}\n`);
  const bytes = new Uint8Array(head.byteLength + input.body.byteLength);
  bytes.set(head, 0);
  bytes.set(new Uint8Array(input.body), head.byteLength);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
