import type { StoredEntry } from "../cache/store.ts";
import { decodeBody, type StoredResponse } from "./entry.ts";
import { cacheStatus } from "./policy.ts";
import type { GatewayRequest } from "./serve.ts";

/** Statuses whose responses never carry a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Age (s) of a stored response at `now` (RFC 9111 4.2.3, from the time this cache stored it). */
export function currentAge(meta: StoredResponse, now: number): number {
  return meta.initialAge + Math.max(0, Math.floor((now - meta.storedAt) / 1000));
}

export function storedHeader(meta: StoredResponse, name: string): string | undefined {
  return meta.headers.find(([key]) => key === name)?.[1];
}

/** RFC 9110 13.1.2 weak comparison of an If-None-Match list against an ETag. */
function etagMatches(ifNoneMatch: string, etag: string | undefined): boolean {
  if (!etag) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => bare(tag) === bare(etag));
}

/**
 * A response from the cache: the stored status and headers, Age, Cache-Status; a 304 when the
 * client's If-None-Match matches the stored ETag; no body for HEAD.
 */
export function fromStore(
  request: Request,
  meta: StoredResponse,
  body: Uint8Array,
  now: number,
  status: Parameters<typeof cacheStatus>[0],
): Response {
  const headers = new Headers(meta.headers);
  headers.set("age", String(currentAge(meta, now)));
  headers.set("cache-status", cacheStatus(status));
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch && meta.status === 200 && etagMatches(ifNoneMatch, storedHeader(meta, "etag"))) {
    headers.delete("content-length");
    return new Response(null, { status: 304, headers });
  }
  const empty = request.method === "HEAD" || NULL_BODY.has(meta.status);
  return new Response(empty ? null : (body as BodyInit), { status: meta.status, headers });
}

/** A stored entry's answer: its body decoded, then fromStore. */
export async function respond(
  g: GatewayRequest,
  meta: StoredResponse,
  entry: StoredEntry,
  now: number,
  status: Parameters<typeof cacheStatus>[0],
): Promise<Response> {
  const body = await decodeBody(entry.value, meta.gzip);
  return fromStore(g.request, meta, body, now, status);
}

/** The stored headers updated by a 304's (RFC 9111 3.2: all but the framing fields). */
export function mergeNotModified(stored: [string, string][], fresh: Headers): [string, string][] {
  const skip = new Set(["content-length", "content-encoding", "transfer-encoding", "content-range"]);
  const merged = new Headers(stored);
  for (const [name, value] of fresh) if (!skip.has(name)) merged.set(name, value);
  return [...merged];
}
