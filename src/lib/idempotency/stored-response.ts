/** Response headers a replay copies; nothing else is stored (never Set-Cookie, RateLimit, ids). */
export const REPLAYED_HEADERS = ["content-type", "location", "etag", "last-modified", "link"] as const;

/** The largest body stored for replay (bytes). A larger response is not stored: the key is released. */
export const MAX_STORED_BODY = 256 * 1024;

/** What the record keeps of a response. */
export interface StoredResponse {
  status: number;
  headers: [string, string][];
  /** base64 of the body's bytes. */
  body: string;
}

/**
 * Whether a response is the request's answer, to replay to every retry: 2xx, and the handler's
 * own 4xx (a 404, a 409, a 422). Not 5xx, 408 or 429 (transient: a retry should run again), not
 * 401 or 403 (the auth middleware's, not the handler's), and not 1xx/3xx.
 */
export function isStorable(status: number): boolean {
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

/** The allow-listed headers of a response, as stored. */
export function replayableHeaders(headers: Headers): [string, string][] {
  const kept: [string, string][] = [];
  for (const name of REPLAYED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept.push([name, value]);
  }
  return kept;
}

export function toBase64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The replay of a stored response: its status, allow-listed headers and body, marked as a replay. */
export function replayResponse(stored: StoredResponse): Response {
  const headers = new Headers(stored.headers);
  headers.set("idempotent-replayed", "true");
  const empty = stored.status === 204 || stored.status === 205 || stored.status === 304;
  return new Response(empty ? null : fromBase64(stored.body), { status: stored.status, headers });
}
